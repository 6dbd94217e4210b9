using StackExchange.Redis;
using Strata.Redis;

namespace Strata.Jobs.Redis;

/// <summary>
/// Settings of the Redis backend of Strata.Jobs, validated on start. The connection comes from the first of
/// <see cref="ConnectionMultiplexerFactory"/>, <see cref="ConfigurationOptions"/>, <see cref="Configuration"/>,
/// <see cref="ConnectionServiceKey"/> that is set, else from the <c>IConnectionMultiplexer</c> in DI.
/// </summary>
public sealed class RedisJobsOptions : IRedisConnectionSettings
{
    /// <summary>
    /// A StackExchange.Redis configuration string, for example <c>localhost:6379</c>; the backend then connects itself
    /// (<c>abortConnect=false</c>, so the host starts while Redis is down) and owns that connection.
    /// </summary>
    /// <value>Defaults to null.</value>
    public string? Configuration { get; set; }

    /// <summary>StackExchange.Redis configuration as an object; wins over <see cref="Configuration"/>. The backend connects with a copy and owns that connection.</summary>
    /// <value>Defaults to null.</value>
    public ConfigurationOptions? ConfigurationOptions { get; set; }

    /// <summary>Gives the backend the multiplexer to use; wins over every other setting. The backend does not dispose it.</summary>
    /// <value>Defaults to null.</value>
    public Func<Task<IConnectionMultiplexer>>? ConnectionMultiplexerFactory { get; set; }

    /// <summary>
    /// The service key of a keyed <c>IConnectionMultiplexer</c> in DI, used when no factory and no configuration is set.
    /// With none of the four set, the backend uses the unkeyed <c>IConnectionMultiplexer</c> in DI.
    /// </summary>
    /// <value>Defaults to null.</value>
    public object? ConnectionServiceKey { get; set; }

    /// <summary>The start of every key, as written; each queue's keys then carry the queue name as a hash tag, <c>{queue}</c>. Must not contain braces.</summary>
    /// <value>Defaults to <c>"strata:jobs:"</c>.</value>
    public string KeyPrefix { get; set; } = "strata:jobs:";

    /// <summary>The consumer group the workers of every host read through.</summary>
    /// <value>Defaults to <c>"strata-workers"</c>.</value>
    public string ConsumerGroup { get; set; } = "strata-workers";

    /// <summary>This host's consumer name in the group.</summary>
    /// <value>Defaults to the machine name, process id and a random suffix.</value>
    public string ConsumerName { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// How long a delivered job may go without a heartbeat before another worker reclaims it (its worker
    /// is taken to have crashed). Heartbeats are sent every third of this.
    /// </summary>
    /// <value>Defaults to 30 seconds.</value>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times one attempt may be delivered (the first delivery plus redeliveries after crashes) before it is dead-lettered without running.</summary>
    /// <value>Defaults to 5.</value>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>The longest idle workers wait before looking at the queues again when no Pub/Sub wake-up comes.</summary>
    /// <value>Defaults to 2 seconds.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The approximate length the dead-letter stream of a queue is trimmed to (the work stream is never trimmed).</summary>
    /// <value>Defaults to 10,000.</value>
    public int DeadLetterMaxLength { get; set; } = 10_000;
}
