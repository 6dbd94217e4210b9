using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Strata.Shared;

namespace Strata.ApiKeys.Internal;

internal sealed partial class ApiKeyAuthenticationHandler : AuthenticationHandler<ApiKeyAuthenticationOptions>
{
    private readonly ApiKeyLookup _lookup;
    private readonly BruteForceGuard _guard;
    private readonly LastUsedTracker _lastUsed;
    private readonly ApiKeyDiagnostics _diagnostics;
    private readonly TimeProvider _time;
    private ApiKeyFailureReason? _failure;
    private TimeSpan _retryAfter;

    public ApiKeyAuthenticationHandler(
        IOptionsMonitor<ApiKeyAuthenticationOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        ApiKeyAuthenticationServices services)
        : base(options, logger, encoder)
    {
        _lookup = services.Lookup;
        _guard = services.Guard;
        _lastUsed = services.LastUsed;
        _diagnostics = services.Diagnostics;
        _time = services.Time;
    }

    private new ApiKeyEvents Events => (ApiKeyEvents)base.Events!;

    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(new ApiKeyEvents());

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (found, key) = Extract();
        if (found == Extraction.None)
        {
            return AuthenticateResult.NoResult();
        }

        // A blocked address is refused only what cannot be a valid key: malformed keys (no hash, no lookup) and keys
        // found unknown. A valid key is accepted whatever its neighbours behind the same NAT sent (see FindBlockedAsync).
        var address = Context.Connection.RemoteIpAddress;
        var blocked = _guard.IsBlocked(address, out _retryAfter);
        if (found == Extraction.Ambiguous)
        {
            return await MalformedAsync(blocked, address).ConfigureAwait(false);
        }

        var now = _time.GetUtcNow();
        var memo = ConnectionMemo();
        ApiKeyRecord? record;
        ApiKeyFeature? feature = null;

        // The key this connection validated last, presented again, passed the format and checksum check then: it is
        // compared first (in constant time), and only a key that is not it is checked for format and looked up.
        if (memo is not null && HasPrefix(key, Options.Prefix) && _lookup.TryReuse(memo, key, now, out var reused))
        {
            record = reused.Entry.Record!;
            feature = reused.Feature;
        }
        else
        {
            if (!ApiKeyFormat.IsWellFormed(key, Options.Prefix))
            {
                return await MalformedAsync(blocked, address).ConfigureAwait(false);
            }

            try
            {
                record = blocked
                    ? await FindBlockedAsync(key, memo, address).ConfigureAwait(false)
                    : await _lookup.FindAsync(key, memo, Scheme.Name, Context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ApiKeysLog.StoreFailed(Logger, ex);
                return await FailAsync(ApiKeyFailureReason.StoreUnavailable, keyId: null).ConfigureAwait(false);
            }

            if (record is null)
            {
                if (blocked)
                {
                    return await ThrottleAsync(address).ConfigureAwait(false);
                }

                RecordFailure(address);
                ApiKeysLog.Unknown(Logger, Options.Prefix);
                return await FailAsync(ApiKeyFailureReason.Unknown, keyId: null).ConfigureAwait(false);
            }

            now = _time.GetUtcNow();
            if (memo?.Current is { } remembered && ReferenceEquals(remembered.Entry.Record, record))
            {
                feature = remembered.Feature;
            }
        }

        var rejection = record.RevokedAt is not null ? ApiKeyFailureReason.Revoked
            : record.IsDisabled ? ApiKeyFailureReason.Disabled
            : record.ExpiresAt is { } expiry && now >= expiry ? ApiKeyFailureReason.Expired
            : !AddressAllowList.Allows(record.AllowedNetworks, address) ? ApiKeyFailureReason.AddressNotAllowed
            : (ApiKeyFailureReason?)null;
        if (rejection is { } reason)
        {
            ApiKeysLog.Rejected(Logger, record.Id, FailureMessages.Tag(reason));
            return await FailAsync(reason, record.Id).ConfigureAwait(false);
        }

        var principal = CreatePrincipal(record, Scheme.Name, ClaimsIssuer);
        AuthenticationProperties? properties = null;
        if (!Events.ValidatedIsDefault)
        {
            var validated = new ApiKeyValidatedContext(Context, Scheme, Options, record) { Principal = principal };
            await Events.Validated(validated).ConfigureAwait(false);
            if (validated.Result is { Succeeded: false } custom)
            {
                _diagnostics.Authentication("rejected_by_event");
                return custom;
            }

            if (validated.Principal is null)
            {
                return AuthenticateResult.Fail(FailureMessages.For(ApiKeyFailureReason.Unknown));
            }

            principal = validated.Principal;
            properties = validated.Properties;
        }

        Context.Features.Set<IApiKeyFeature>(feature ?? new ApiKeyFeature(record, Scheme.Name));
        _lastUsed.Record(record.Id, now);
        _diagnostics.Authentication("success");
        ApiKeysLog.Validated(Logger, record.Id);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, properties, Scheme.Name));
    }

    /// <summary>
    /// The principal for a validated key: one <see cref="ApiKeyIdentity"/> whose claims (key id, owner, name
    /// identifier, name, one per scope) are created when first read, in an <see cref="ApiKeyPrincipal"/>. A new
    /// principal and identity per request: claims transformation and the validated event may change them.
    /// </summary>
    internal static ClaimsPrincipal CreatePrincipal(ApiKeyRecord record, string scheme, string issuer)
        => new ApiKeyPrincipal(new ApiKeyIdentity(record, scheme, issuer));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        var challenge = new ApiKeyChallengeContext(Context, Scheme, Options, properties, _failure);
        await Events.Challenge(challenge).ConfigureAwait(false);
        if (challenge.Handled || Response.HasStarted)
        {
            return;
        }

        int status;
        string title;
        switch (_failure)
        {
            case ApiKeyFailureReason.Throttled:
                status = StatusCodes.Status429TooManyRequests;
                title = "Too Many Requests";
                var seconds = Math.Max(1, (int)Math.Ceiling(_retryAfter.TotalSeconds));
                Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                break;
            case ApiKeyFailureReason.StoreUnavailable:
                status = StatusCodes.Status503ServiceUnavailable;
                title = "Service Unavailable";
                break;
            default:
                status = StatusCodes.Status401Unauthorized;
                title = "Unauthorized";
                Response.Headers.Append(HeaderNames.WWWAuthenticate, $"{ApiKeyDefaults.AuthorizationScheme} realm=\"{Options.Realm}\"");
                break;
        }

        var detail = _failure is { } reason ? FailureMessages.For(reason) : FailureMessages.MissingFor(Options);
        await ApiKeyProblems.WriteAsync(Context, status, title, detail).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var forbidden = new ApiKeyForbiddenContext(Context, Scheme, Options, properties);
        await Events.Forbidden(forbidden).ConfigureAwait(false);
        if (forbidden.Handled || Response.HasStarted)
        {
            return;
        }

        await ApiKeyProblems.WriteForbiddenAsync(Context, MissingScopes.Of(Context)).ConfigureAwait(false);
    }

    /// <summary>
    /// This scheme's memo on the request's connection, created on first use: only on a keep-alive HTTP/1.x
    /// connection whose server exposes connection items (Kestrel does), where requests come one at a time. HTTP/2
    /// and HTTP/3 multiplex concurrent requests on a connection and take the lookup every time.
    /// </summary>
    private ConnectionKeyMemo? ConnectionMemo()
    {
        if (!Options.CacheOnConnection)
        {
            return null;
        }

        var protocol = Request.Protocol;
        if (!HttpProtocol.IsHttp11(protocol) && !HttpProtocol.IsHttp10(protocol))
        {
            return null;
        }

        var items = Context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is null)
        {
            return null;
        }

        if (items.TryGetValue(Scheme, out var found) && found is ConnectionKeyMemo memo)
        {
            return memo;
        }

        memo = new ConnectionKeyMemo();
        items[Scheme] = memo;
        return memo;
    }

    /// <summary>
    /// The record of a well-formed key sent from a blocked address. A cached answer (valid or unknown) is used at
    /// once; otherwise the store is asked, one lookup at a time per address, so the valid key of a client sharing an
    /// address with a guesser is never refused while the guesser gets no more than one lookup in flight.
    /// </summary>
    private async Task<ApiKeyRecord?> FindBlockedAsync(string key, ConnectionKeyMemo? memo, System.Net.IPAddress? address)
    {
        var (cached, record) = await _lookup.FindCachedOnlyAsync(key, memo, Scheme.Name, Context.RequestAborted).ConfigureAwait(false);
        if (cached)
        {
            return record;
        }

        using var turn = await _guard.WaitForLookupTurnAsync(address, Context.RequestAborted).ConfigureAwait(false);
        return await _lookup.FindAsync(key, memo, Scheme.Name, Context.RequestAborted).ConfigureAwait(false);
    }

    private async Task<AuthenticateResult> MalformedAsync(bool blocked, System.Net.IPAddress? address)
    {
        if (blocked)
        {
            return await ThrottleAsync(address).ConfigureAwait(false);
        }

        RecordFailure(address);
        ApiKeysLog.Malformed(Logger, Options.Prefix);
        return await FailAsync(ApiKeyFailureReason.Malformed, keyId: null).ConfigureAwait(false);
    }

    /// <summary>True when <paramref name="key"/> starts with <c>{prefix}_</c> (the memo's key was validated under this scheme's prefix; a reload may change it).</summary>
    private static bool HasPrefix(string key, string prefix)
        => key.Length > prefix.Length && key[prefix.Length] == '_' && key.StartsWith(prefix, StringComparison.Ordinal);

    private async Task<AuthenticateResult> ThrottleAsync(System.Net.IPAddress? address)
    {
        ApiKeysLog.Throttled(Logger, ClientAddressKey.Of(address));  // debug: one line per refused request
        return await FailAsync(ApiKeyFailureReason.Throttled, keyId: null).ConfigureAwait(false);
    }

    private void RecordFailure(System.Net.IPAddress? address)
    {
        if (_guard.RecordFailure(address))
        {
            ApiKeysLog.Blocked(Logger, ClientAddressKey.Of(address));
        }
    }

    private async Task<AuthenticateResult> FailAsync(ApiKeyFailureReason reason, string? keyId)
    {
        _failure = reason;
        _diagnostics.Authentication(FailureMessages.Tag(reason));
        var failed = new ApiKeyAuthenticationFailedContext(Context, Scheme, Options, reason, keyId);
        await Events.AuthenticationFailed(failed).ConfigureAwait(false);
        return failed.Result ?? AuthenticateResult.Fail(FailureMessages.For(reason));
    }

    private (Extraction Found, string Key) Extract()
    {
        var headers = Request.Headers;
        var names = Options.HeaderNames;
        for (var i = 0; i < names.Count; i++)  // an index, not foreach: an IList<string> enumerator is an allocation per request
        {
            if (headers.TryGetValue(names[i], out var values) && values.Count > 0)
            {
                return values.Count == 1 ? (Extraction.Found, values[0] ?? string.Empty) : (Extraction.Ambiguous, string.Empty);
            }
        }

        if ((Options.AllowAuthorizationHeader || Options.AllowBearerToken) && headers.TryGetValue(HeaderNames.Authorization, out var authorization) && authorization.Count > 0)
        {
            var found = FromAuthorization(authorization);
            if (found.Found != Extraction.None)
            {
                return found;
            }
        }

        if (Options.QueryParameterName is { Length: > 0 } parameter && Request.Query.TryGetValue(parameter, out var query) && query.Count > 0)
        {
            return query.Count == 1 ? (Extraction.Found, query[0] ?? string.Empty) : (Extraction.Ambiguous, string.Empty);
        }

        return (Extraction.None, string.Empty);
    }

    private (Extraction Found, string Key) FromAuthorization(Microsoft.Extensions.Primitives.StringValues authorization)
    {
        foreach (var value in authorization)
        {
            if (value is null)
            {
                continue;
            }

            if (Options.AllowAuthorizationHeader && TryTakeCredential(value, ApiKeyDefaults.AuthorizationScheme, out var apiKey))
            {
                return authorization.Count == 1 ? (Extraction.Found, apiKey) : (Extraction.Ambiguous, string.Empty);
            }

            // A bearer token without our prefix belongs to another scheme (for example a JWT): leave it alone.
            if (Options.AllowBearerToken && TryTakeCredential(value, "Bearer", out var token)
                && token.StartsWith(Options.Prefix + "_", StringComparison.Ordinal))
            {
                return authorization.Count == 1 ? (Extraction.Found, token) : (Extraction.Ambiguous, string.Empty);
            }
        }

        return (Extraction.None, string.Empty);
    }

    private static bool TryTakeCredential(string value, string scheme, out string credential)
    {
        if (value.Length > scheme.Length && value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && value[scheme.Length] == ' ')
        {
            credential = value[(scheme.Length + 1)..].Trim();
            return true;
        }

        credential = string.Empty;
        return false;
    }

    private enum Extraction
    {
        None,
        Found,
        Ambiguous,
    }
}
