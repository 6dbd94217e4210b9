namespace Strata.RateLimiting.Redis;

/// <summary>Options of the Redis store of Strata rate limiting, validated on start.</summary>
public sealed class RedisRateLimitingOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string; the store then owns a connection of its own.
    /// When null, the store uses the <c>IConnectionMultiplexer</c> from DI (keyed by <see cref="ConnectionServiceKey"/> when set).
    /// </summary>
    /// <value>Default: null.</value>
    public string? ConnectionString { get; set; }

    /// <summary>The service key of a keyed <c>IConnectionMultiplexer</c> in DI.</summary>
    /// <value>Default: null (the unkeyed one).</value>
    public object? ConnectionServiceKey { get; set; }

    /// <summary>The first part of every key: keys are <c>{prefix}:{policy}:{{partition}}</c>. Must not contain braces.</summary>
    /// <value>Default: <c>strata:rl</c>.</value>
    public string KeyPrefix { get; set; } = "strata:rl";

    /// <summary>How long a decision may take before the policy's failure mode decides instead.</summary>
    /// <value>Default: 250 ms.</value>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Failures in a row that open the circuit breaker (no calls to Redis while open).</summary>
    /// <value>Default: 3.</value>
    public int FailureThreshold { get; set; } = 3;

    /// <summary>How long the circuit stays open before one probe call tests Redis again.</summary>
    /// <value>Default: 5 seconds.</value>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The number of nodes sharing the limits: the in-process fallback admits limit / nodes (rounded up) per node.</summary>
    /// <value>Default: 1.</value>
    public int FallbackNodeCount { get; set; } = 1;

    /// <summary>Reject locally, without a round trip, a partition Redis has rejected until its retry time.</summary>
    /// <value>Default: true.</value>
    public bool UseDenyCache { get; set; } = true;
}
