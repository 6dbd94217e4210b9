namespace Strata.ApiKeys.Internal;

/// <summary>
/// The singletons the authentication handler uses, in one object: ASP.NET Core creates the handler per request
/// through dependency injection, and each constructor dependency is one more resolution per request.
/// </summary>
internal sealed class ApiKeyAuthenticationServices(
    ApiKeyLookup lookup,
    BruteForceGuard guard,
    LastUsedTracker lastUsed,
    ApiKeyDiagnostics diagnostics,
    TimeProvider time)
{
    public ApiKeyLookup Lookup { get; } = lookup;

    public BruteForceGuard Guard { get; } = guard;

    public LastUsedTracker LastUsed { get; } = lastUsed;

    public ApiKeyDiagnostics Diagnostics { get; } = diagnostics;

    public TimeProvider Time { get; } = time;
}
