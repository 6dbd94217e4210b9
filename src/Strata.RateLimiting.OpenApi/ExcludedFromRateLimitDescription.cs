namespace Strata.RateLimiting.OpenApi;

/// <summary>Endpoint metadata: <c>AddRateLimitDescriptions</c> leaves the operation as the endpoint describes it.</summary>
internal sealed class ExcludedFromRateLimitDescription
{
    public static readonly ExcludedFromRateLimitDescription Instance = new();
}
