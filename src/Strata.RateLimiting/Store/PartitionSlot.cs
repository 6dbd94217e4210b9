namespace Strata.RateLimiting.Store;

/// <summary>
/// Kept by one partition's limiter for its whole life and passed with each of its requests: a store caches there what
/// depends only on the policy and the partition (the Redis store keeps its key array), so a decision builds no key.
/// </summary>
public sealed class PartitionSlot
{
    /// <summary>The store's cached state for this policy and partition. Written once by the store, then read concurrently: never change it after it is set.</summary>
    public object? StoreState { get; set; }
}
