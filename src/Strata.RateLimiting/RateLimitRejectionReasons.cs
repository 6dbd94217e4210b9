namespace Strata.RateLimiting;

/// <summary>Values of <see cref="RateLimitMetadataNames.RejectionReason"/>.</summary>
public static class RateLimitRejectionReasons
{
    /// <summary>A limit is exhausted; the response is 429.</summary>
    public const string QuotaExceeded = "quota-exceeded";

    /// <summary>The store could not decide and the policy fails closed; the response is 503.</summary>
    public const string StoreUnavailable = "store-unavailable";
}
