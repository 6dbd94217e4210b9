using StackExchange.Redis;
using Strata.Redis;

namespace Strata.RateLimiting.Redis;

/// <summary>
/// Options of the Redis store of Strata rate limiting, validated on start. The connection comes from the first of
/// <see cref="ConnectionMultiplexerFactory"/>, <see cref="ConfigurationOptions"/>, <see cref="Configuration"/>,
/// <see cref="ConnectionServiceKey"/> that is set, else from the <c>IConnectionMultiplexer</c> in DI.
/// </summary>
public sealed class RedisRateLimitingOptions : IRedisConnectionSettings
{
    /// <summary>
    /// A StackExchange.Redis configuration string, for example <c>localhost:6379</c>; the store then connects itself
    /// (<c>abortConnect=false</c>, so the host starts while Redis is down) and owns that connection.
    /// </summary>
    /// <value>Default: null.</value>
    public string? Configuration { get; set; }

    /// <summary>StackExchange.Redis configuration as an object; wins over <see cref="Configuration"/>. The store connects with a copy and owns that connection.</summary>
    /// <value>Default: null.</value>
    public ConfigurationOptions? ConfigurationOptions { get; set; }

    /// <summary>Gives the store the multiplexer to use; wins over every other setting. The store does not dispose it.</summary>
    /// <value>Default: null.</value>
    public Func<Task<IConnectionMultiplexer>>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>
    /// The service key of a keyed <c>IConnectionMultiplexer</c> in DI, used when no factory and no configuration is set.
    /// With none of the four set, the store uses the unkeyed <c>IConnectionMultiplexer</c> in DI.
    /// </summary>
    /// <value>Default: null.</value>
    public object? ConnectionServiceKey { get; set; }

    /// <summary>The start of every key, as written: keys are <c>{prefix}{policy}:{{partition}}</c>. Must not contain braces.</summary>
    /// <value>Default: <c>strata:rl:</c>.</value>
    public string KeyPrefix { get; set; } = "strata:rl:";

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

    /// <summary>
    /// Send the decisions that arrive while a call to the same Redis node (on a cluster: the same hash slot) is on the
    /// wire together in the next script call, in arrival order. Each keeps its own answer and cancellation, and a lone
    /// decision is sent at once (no timer, no added wait). Turn it off to send one call per decision.
    /// </summary>
    /// <value>Default: true.</value>
    public bool CoalesceDecisions { get; set; } = true;
}
