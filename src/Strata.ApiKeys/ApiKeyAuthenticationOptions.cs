using Microsoft.AspNetCore.Authentication;

namespace Strata.ApiKeys;

/// <summary>Options of one API-key authentication scheme. Validated at start-up.</summary>
public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>Creates the options with their defaults.</summary>
    public ApiKeyAuthenticationOptions()
    {
        Events = new ApiKeyEvents();
    }

    /// <summary>The prefix of keys this scheme accepts (and <see cref="IApiKeyManager"/> creates by default). <value>Default <c>"sk"</c>.</value></summary>
    public string Prefix { get; set; } = ApiKeyDefaults.Prefix;

    /// <summary>Headers the key is read from, in order. <value>Default <c>["X-Api-Key"]</c>.</value></summary>
    public IList<string> HeaderNames { get; } = [ApiKeyDefaults.HeaderName];

    /// <summary>Also read <c>Authorization: ApiKey &lt;key&gt;</c>. <value>Default <see langword="false"/>.</value></summary>
    public bool AllowAuthorizationHeader { get; set; }

    /// <summary>
    /// Also read <c>Authorization: Bearer &lt;key&gt;</c>. A bearer token that does not start with this
    /// scheme's prefix is left to other schemes. <value>Default <see langword="false"/>.</value>
    /// </summary>
    public bool AllowBearerToken { get; set; }

    /// <summary>
    /// A query-string parameter the key is read from, or <see langword="null"/> for none. Leaky: URLs end up in
    /// logs, browser history and <c>Referer</c> headers. <value>Default <see langword="null"/> (off).</value>
    /// </summary>
    public string? QueryParameterName { get; set; }

    /// <summary>
    /// Remember the key last validated on a keep-alive HTTP/1.x connection (in the connection's items, in memory
    /// only), so a later request on the same connection presenting the same key skips hashing and the lookup. The
    /// remembered key is compared in constant time and follows the cache's rules: it is used only while the cached
    /// lookup would be (<see cref="ApiKeysOptions.CacheDuration"/>) and never after a revoke, rotate or reload on this
    /// node; every other check (brute-force guard, format, revoked, disabled, expiry, address allow-list, events)
    /// still runs on every request. Set <see langword="false"/> to keep no key beyond its own request.
    /// <value>Default <see langword="true"/>.</value>
    /// </summary>
    public bool CacheOnConnection { get; set; } = true;

    /// <summary>The realm in <c>WWW-Authenticate: ApiKey realm="..."</c>. <value>Default <c>"api"</c>.</value></summary>
    public string Realm { get; set; } = "api";

    /// <summary>The event handlers. <value>Default: an <see cref="ApiKeyEvents"/> that does nothing.</value></summary>
    public new ApiKeyEvents Events
    {
        get => (ApiKeyEvents)base.Events!;
        set => base.Events = value;
    }
}
