namespace Strata.RateLimiting;

/// <summary>The counts of one policy on this node, read from <see cref="IRateLimitingMonitor.GetStatistics"/>.</summary>
public sealed class RateLimitPolicyStatistics
{
    internal RateLimitPolicyStatistics(string policy, IReadOnlyList<RateLimitMinute> minutes, IReadOnlyList<RateLimitPartitionCount> topDenied, int trackedPartitions)
    {
        Policy = policy;
        Minutes = minutes;
        TopDeniedPartitions = topDenied;
        TrackedPartitions = trackedPartitions;
    }

    /// <summary>The policy name.</summary>
    public string Policy { get; }

    /// <summary>The last 15 minutes, oldest first; the last one is the minute running now.</summary>
    public IReadOnlyList<RateLimitMinute> Minutes { get; }

    /// <summary>The partitions this node denied most since it started, most first, at most 10.</summary>
    public IReadOnlyList<RateLimitPartitionCount> TopDeniedPartitions { get; }

    /// <summary>How many denied partitions the bounded table holds now (about 1,000 at most).</summary>
    public int TrackedPartitions { get; }
}
