using StackExchange.Redis;

namespace Strata.Jobs.Redis;

/// <summary>The keys of one queue, all with the queue name as hash tag; built once per queue.</summary>
internal sealed class RedisQueueKeys
{
    private readonly string _base;

    public RedisQueueKeys(string prefix, string queue)
    {
        Queue = queue;
        _base = $"{prefix}{{{queue}}}:";
        Stream = _base + "stream";
        Delayed = _base + "delayed";
        DeadLetters = _base + "dead";
        JobPrefix = _base + "job:";
        WakeChannel = _base + "wake";
        Idle = _base + "idle";
        NoIdempotency = Idempotency(string.Empty);
        IndexPrefix = _base + "ix:";
        IndexAll = IndexPrefix + "all";
        Expiry = IndexPrefix + "exp";
    }

    /// <summary>The start of the search indexes' keys (<c>{queue}:ix:</c>); the scripts append <c>all</c>, <c>s:&lt;state&gt;</c>, <c>t:&lt;type&gt;</c>, <c>o:&lt;owner&gt;</c>, <c>exp</c>.</summary>
    public string IndexPrefix { get; }

    /// <summary>Every job of the queue the backend remembers, by index member.</summary>
    public RedisKey IndexAll { get; }

    /// <summary>The finished jobs, scored by when their status hash expires (see sweep.lua).</summary>
    public RedisKey Expiry { get; }

    public string Queue { get; }

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

    /// <summary>The jobs of the queue in <paramref name="state"/> (its name as the scripts write it).</summary>
    public RedisKey IndexState(string state) => IndexPrefix + "s:" + state;

    public RedisKey IndexType(string jobType) => IndexPrefix + "t:" + jobType;

    public RedisKey IndexOwner(string owner) => IndexPrefix + "o:" + owner;
}
