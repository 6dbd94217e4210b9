using System.Threading.RateLimiting;

namespace Strata.RateLimiting;

/// <summary>
/// Metadata on the leases of Strata limiters, besides <see cref="MetadataName.RetryAfter"/> (a
/// <see cref="TimeSpan"/>, on rejections) and <see cref="MetadataName.ReasonPhrase"/>. When a policy has several
/// limits, the values describe the most restrictive one (the fewest permits remaining).
/// </summary>
public static class RateLimitMetadataNames
{
    /// <summary>The limit (permits per period) of the most restrictive rule.</summary>
    public static MetadataName<long> Limit { get; } = MetadataName.Create<long>("STRATA_RATELIMIT_LIMIT");

    /// <summary>The permits left after the decision.</summary>
    public static MetadataName<long> Remaining { get; } = MetadataName.Create<long>("STRATA_RATELIMIT_REMAINING");

    /// <summary>The time until the limit is back to full or its window ends.</summary>
    public static MetadataName<TimeSpan> Reset { get; } = MetadataName.Create<TimeSpan>("STRATA_RATELIMIT_RESET");

    /// <summary>The name of the policy that decided.</summary>
    public static MetadataName<string> Policy { get; } = MetadataName.Create<string>("STRATA_RATELIMIT_POLICY");

    /// <summary>Why a lease was not acquired: <see cref="RateLimitRejectionReasons.QuotaExceeded"/> or <see cref="RateLimitRejectionReasons.StoreUnavailable"/>.</summary>
    public static MetadataName<string> RejectionReason { get; } = MetadataName.Create<string>("STRATA_RATELIMIT_REJECTION_REASON");
}
