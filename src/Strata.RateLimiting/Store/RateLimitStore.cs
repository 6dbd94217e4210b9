namespace Strata.RateLimiting.Store;

/// <summary>One limit of a store request, in the store's units (microseconds).</summary>
/// <param name="Algorithm">The algorithm.</param>
/// <param name="Limit">Permits (or bucket size, or concurrent permits).</param>
/// <param name="PeriodMicros">Period, window or permit lifetime in microseconds.</param>
/// <param name="TokensPerPeriod">Token refill per period (token bucket).</param>
internal readonly record struct LimitSpec(RateLimitAlgorithm Algorithm, long Limit, long PeriodMicros, long TokensPerPeriod)
{
    public static LimitSpec From(RateLimitRule rule) =>
        new(rule.Algorithm, rule.Limit, rule.Period.Ticks / 10, rule.TokensPerPeriod);
}

/// <summary>
/// A decision request: every limit of one policy for one partition, decided all or nothing.
/// A <see cref="Cost"/> of 0 asks whether one permit is available without taking it. A struct: a decision allocates no request.
/// </summary>
internal readonly struct StoreRequest(string policy, string partition, LimitSpec[] limits, int cost, string? leaseId, PartitionSlot? slot = null)
{
    /// <summary>What the store may keep between decisions of this policy and partition (its key); null when nothing is kept.</summary>
    public PartitionSlot? Slot { get; } = slot;

    public string Policy { get; } = policy;

    public string Partition { get; } = partition;

    public LimitSpec[] Limits { get; } = limits;

    public int Cost { get; } = cost;

    /// <summary>The permit id of a concurrency limit (released later with it); null when the request has no concurrency limit.</summary>
    public string? LeaseId { get; } = leaseId;
}

/// <summary>
/// Kept by one partition's limiter for its whole life: a store caches there what depends only on the policy and the
/// partition (the Redis store: the key array), so a decision builds no key.
/// </summary>
internal sealed class PartitionSlot
{
    /// <summary>The store's cached key(s) of this policy and partition; written once, read concurrently, never changed.</summary>
    public object? StoreKeys { get; set; }
}

/// <summary>The outcome of one limit.</summary>
/// <param name="Allowed">True when this limit admits the request.</param>
/// <param name="Remaining">Permits left after the decision.</param>
/// <param name="ResetMicros">Microseconds until the limit is back to full (or the window ends).</param>
/// <param name="RetryMicros">When rejected: microseconds until the same request would be admitted; 0 when unknown (concurrency).</param>
internal readonly record struct LimitResult(bool Allowed, long Remaining, long ResetMicros, long RetryMicros);

/// <summary>The outcome of a <see cref="StoreRequest"/>: admitted only when every limit admits it. A struct: only its results array is allocated.</summary>
internal readonly struct StoreDecision(bool allowed, LimitResult[] results, long noPermitForMicros = 0)
{
    public bool Allowed { get; } = allowed;

    public LimitResult[] Results { get; } = results;

    /// <summary>
    /// After an admission that took the last permit: microseconds from the store's now during which the store can admit
    /// no request of this policy and partition, whatever any node does (0 when unknown or not so). Only a store that
    /// can prove it sets it (Redis, one GCRA limit: the theoretical arrival time only grows).
    /// </summary>
    public long NoPermitForMicros { get; } = noPermitForMicros;

    /// <summary>The longest wait among the rejecting limits.</summary>
    public long RetryMicros
    {
        get
        {
            long retry = 0;
            foreach (var result in Results)
            {
                if (!result.Allowed && result.RetryMicros > retry)
                {
                    retry = result.RetryMicros;
                }
            }

            return retry;
        }
    }
}

/// <summary>Thrown by a store that cannot decide (unreachable, timed out, failing). Never carries secrets.</summary>
internal sealed class RateLimitStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Where limiter state lives. The in-process store decides synchronously; a distributed store
/// decides asynchronously in one round trip and reports failures as <see cref="RateLimitStoreException"/>.
/// </summary>
internal interface IRateLimitStore
{
    /// <summary>A short name for metrics and logs: <c>in_process</c>, <c>redis</c>.</summary>
    string Name { get; }

    /// <summary>What the store is, for the line logged at start: <c>in-process store (this node only)</c>, <c>redis at host:6379, prefix strata:rl:</c>.</summary>
    string Description { get; }

    /// <summary>True when state is shared with other nodes (enables the deny cache, failure modes and the breaker).</summary>
    bool IsDistributed { get; }

    /// <summary>Decides at once without blocking when the store can; false when only <see cref="DecideAsync"/> can.</summary>
    bool TryDecide(StoreRequest request, out StoreDecision decision);

    /// <summary>Decides one request.</summary>
    ValueTask<StoreDecision> DecideAsync(StoreRequest request, CancellationToken cancellationToken);

    /// <summary>Releases the concurrency permits taken by <paramref name="request"/>.</summary>
    ValueTask ReleaseAsync(StoreRequest request);
}
