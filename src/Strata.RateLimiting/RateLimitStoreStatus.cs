namespace Strata.RateLimiting;

/// <summary>The store that decides on this node and its health, read from <see cref="IRateLimitingMonitor.GetStoreStatus"/>.</summary>
public sealed class RateLimitStoreStatus
{
    internal RateLimitStoreStatus(string name, string description, bool isDistributed, bool isReachable, RateLimitCircuitState circuitState, long denyCacheHits, int denyCacheEntries)
    {
        Name = name;
        Description = description;
        IsDistributed = isDistributed;
        IsReachable = isReachable;
        CircuitState = circuitState;
        DenyCacheHits = denyCacheHits;
        DenyCacheEntries = denyCacheEntries;
    }

    /// <summary>The store's short name, for example <c>in_process</c> or <c>redis</c>.</summary>
    public string Name { get; }

    /// <summary>The store as its start-up log line names it (no credentials).</summary>
    public string Description { get; }

    /// <summary>True when the state is shared between nodes (Redis); false for the in-process store.</summary>
    public bool IsDistributed { get; }

    /// <summary>False from a failed store call to the next successful one (for Redis: not connected); always true in process.</summary>
    public bool IsReachable { get; }

    /// <summary>The circuit breaker in front of the store (always closed in process).</summary>
    public RateLimitCircuitState CircuitState { get; }

    /// <summary>Rejections answered by the deny cache on this node since it started.</summary>
    public long DenyCacheHits { get; }

    /// <summary>Rejections the deny cache holds now.</summary>
    public int DenyCacheEntries { get; }
}
