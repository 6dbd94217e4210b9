using Microsoft.Extensions.Options;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// The prefixes the registered API-key schemes accept, for the key manager: the default prefix of a new key, and the
/// check that refuses to create a key no scheme would accept (it would be malformed on every use).
/// </summary>
internal sealed class ApiKeySchemePrefixes
{
    private readonly string[] _schemes;
    private readonly IOptionsMonitor<ApiKeyAuthenticationOptions> _options;

    public ApiKeySchemePrefixes(IEnumerable<ApiKeySchemeRegistration> schemes, IOptionsMonitor<ApiKeyAuthenticationOptions> options)
    {
        _schemes = schemes.Select(s => s.Name).Distinct(StringComparer.Ordinal).ToArray();
        _options = options;
    }

    /// <summary>
    /// The prefix of a key created without one: that of the scheme named <see cref="ApiKeyDefaults.AuthenticationScheme"/>,
    /// or of the only API-key scheme when it has another name; <see cref="ApiKeyDefaults.Prefix"/> settings otherwise.
    /// </summary>
    public string Default
        => _schemes.Length == 1 && !Registered(ApiKeyDefaults.AuthenticationScheme)
            ? _options.Get(_schemes[0]).Prefix
            : _options.Get(ApiKeyDefaults.AuthenticationScheme).Prefix;

    /// <summary>
    /// The prefix for a new key (the requested one, else <see cref="Default"/>), after checking that some registered
    /// scheme accepts it. With no API-key scheme registered (the manager used alone, for example in an admin tool
    /// sharing the store with the API), any valid prefix is allowed: the accepting host is elsewhere.
    /// </summary>
    public string ForNewKey(string? requested)
    {
        var prefix = requested ?? Default;
        ApiKeyFormat.ValidatePrefix(prefix);
        if (_schemes.Length == 0)
        {
            return prefix;
        }

        var accepted = _schemes.Select(name => (Scheme: name, _options.Get(name).Prefix)).ToList();
        if (accepted.Exists(a => string.Equals(a.Prefix, prefix, StringComparison.Ordinal)))
        {
            return prefix;
        }

        var list = string.Join(", ", accepted.Select(a => $"'{a.Prefix}' (scheme '{a.Scheme}')"));
        var origin = requested is null ? "the default prefix" : "ApiKeyCreateRequest.Prefix";
        throw new InvalidOperationException(
            $"No API-key authentication scheme accepts keys with the prefix '{prefix}' ({origin}): such a key would be refused as malformed on every request. "
            + $"Accepted prefixes: {list}. Create the key with one of them (ApiKeyCreateRequest.Prefix), or make a scheme accept '{prefix}' "
            + $"(AddApiKey(o => o.Prefix = \"{prefix}\"), or another AddApiKey(\"name\", o => o.Prefix = \"{prefix}\")).");
    }

    private bool Registered(string scheme) => Array.IndexOf(_schemes, scheme) >= 0;
}
