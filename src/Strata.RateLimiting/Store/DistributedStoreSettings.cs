namespace Strata.RateLimiting.Store;

/// <summary>
/// How the runtime treats a distributed store (<see cref="IRateLimitStore.IsDistributed"/>): when its circuit breaker
/// opens, how the local fallback divides a limit, and whether denials are cached on this node. Given by the store's
/// package through <c>UseStore(...)</c>; ignored for a store that is not distributed.
/// </summary>
public sealed class DistributedStoreSettings
{
    /// <summary>Consecutive failed decisions that open the circuit breaker (default 3).</summary>
    public int FailureThreshold { get; init; } = 3;

    /// <summary>How long an open breaker fails decisions at once before one probe goes to the store (default 5 s).</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Nodes sharing the limit, so the local fallback grants each node its share (default 1: the whole limit).</summary>
    public int FallbackNodeCount { get; init; } = 1;

    /// <summary>Whether this node remembers a denial until the store's proven no-permit time ends (default true).</summary>
    public bool DenyCache { get; init; } = true;
}
