namespace Strata.RateLimiting;

/// <summary>
/// Endpoint metadata read by the documentation packages (Strata.RateLimiting.OpenApi, Strata.RateLimiting.Swashbuckle):
/// when <see cref="ExcludeFromRateLimitDescription"/> is <see langword="true"/>, they add no 429 or 503 answer and no
/// rate-limit headers to the endpoint's operations. <c>ExcludeFromRateLimitDescription()</c> puts it on an endpoint or group.
/// </summary>
public interface IExcludeFromRateLimitDescriptionMetadata
{
    /// <summary>Whether the documentation packages leave the endpoint as it describes itself.</summary>
    bool ExcludeFromRateLimitDescription { get; }
}
