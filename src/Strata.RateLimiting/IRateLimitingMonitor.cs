namespace Strata.RateLimiting;

/// <summary>
/// Reads what Strata rate limiting decided on this node: per policy, the decisions, denials, shadow-mode would-deny
/// counts and deny-cache hits of the last <see cref="RateLimitPolicyStatistics.Minutes"/> (15 one-minute buckets), the
/// partitions denied most, and the state of the store. Registered by <c>AddStrataRateLimiting</c>; for diagnostics
/// pages such as Strata.Dashboard.
/// </summary>
/// <remarks>
/// <para>
/// Per node: every node counts its own decisions in memory, nothing is shared through the store, and the counts start
/// again at zero when the process starts. Sum the nodes (or use the <c>Strata.RateLimiting</c> meter) for a cluster view.
/// </para>
/// <para>
/// Counting costs a decision a clock read and a few <see cref="Interlocked"/> increments, no lock. A denied partition
/// is counted in a bounded table of about 1,000 partitions per policy (keys longer than 200 characters are cut): when a
/// flood of distinct partitions fills it, the least denied half is dropped, so memory stays bounded whatever the
/// number of keys and the partitions denied most stay; their counts are then lower bounds.
/// </para>
/// </remarks>
public interface IRateLimitingMonitor
{
    /// <summary>The Strata policies added to the host's <c>RateLimiterOptions</c> (with <c>AddGcraPolicy</c> and friends), by name.</summary>
    IReadOnlyList<RateLimitPolicyDescription> Policies { get; }

    /// <summary>The counts of one policy on this node; all zero when it has not decided yet.</summary>
    /// <param name="policyName">The policy name.</param>
    /// <returns>A copy, taken now.</returns>
    RateLimitPolicyStatistics GetStatistics(string policyName);

    /// <summary>The store that decides, whether it answers, and the circuit breaker in front of it.</summary>
    /// <returns>A copy, taken now.</returns>
    RateLimitStoreStatus GetStoreStatus();
}
