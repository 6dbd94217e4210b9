using StackExchange.Redis;

namespace Strata.Jobs.Redis;

/// <summary>The keys of one queue, all with the queue name as hash tag; built once per queue.</summary>
internal sealed class RedisQueueKeys
{
    private readonly string _base;

    public RedisQueueKeys(string prefix, string queue)
    {
        _base = $"{prefix}{{{queue}}}:";
        Stream = _base + "stream";
        Delayed = _base + "delayed";
        DeadLetters = _base + "dead";
        JobPrefix = _base + "job:";
        WakeChannel = _base + "wake";
        Idle = _base + "idle";
        NoIdempotency = Idempotency(string.Empty);
    }

    public RedisKey Stream { get; }

    public RedisKey Delayed { get; }

    public RedisKey DeadLetters { get; }

    public string JobPrefix { get; }

    public string WakeChannel { get; }

    public RedisKey Idle { get; }

    /// <summary>Stands in for the idempotency key of a job without one (the script ignores it; never written).</summary>
    public RedisKey NoIdempotency { get; }

    public RedisKey Job(string id) => JobPrefix + id;

    public RedisKey Idempotency(string key) => _base + "idem:" + key;
}
