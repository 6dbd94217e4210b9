namespace Strata.Jobs.Redis;

/// <summary>Settings of the Redis backend of Strata.Jobs.</summary>
public sealed class RedisJobsOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string, used only when no <c>IConnectionMultiplexer</c> is
    /// registered in DI (register one to share it with the rest of the host).
    /// </summary>
    /// <value>Defaults to null.</value>
    public string? Configuration { get; set; }

    /// <summary>The start of every key; each queue's keys then carry the queue name as a hash tag, <c>{queue}</c>.</summary>
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
