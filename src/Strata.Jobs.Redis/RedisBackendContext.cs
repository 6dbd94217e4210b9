using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Redis;

/// <summary>
/// What the Redis backend's parts share: the connection, options, clock and log, the key layout of each queue, and
/// the stream entries this process holds (running, or received and about to run), which the heartbeat keeps fresh.
/// </summary>
internal sealed class RedisBackendContext
{
    private readonly ConcurrentDictionary<string, RedisQueueKeys> _keys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _queues;

    public RedisBackendContext(RedisConnection connection, IRunningJobs running, TimeProvider time, JobsOptions jobs, RedisJobsOptions options, ILogger logger)
    {
        Connection = connection;
        Running = running;
        Time = time;
        Jobs = jobs;
        Options = options;
        Logger = logger;
        _queues = new(jobs.GetEffectiveQueues().Select(q => q.Name), StringComparer.Ordinal);
        CancelChannel = RedisChannel.Literal(options.KeyPrefix + "cancel");
    }

    public RedisConnection Connection { get; }

    public IRunningJobs Running { get; }

    public TimeProvider Time { get; }

    public JobsOptions Jobs { get; }

    public RedisJobsOptions Options { get; }

    /// <summary>The backend's logger (category <c>Strata.Jobs.Redis.RedisJobBackend</c>), for all its parts.</summary>
    public ILogger Logger { get; }

    /// <summary>The configured queues.</summary>
    public IReadOnlyCollection<string> Queues => _queues;

    /// <summary>Stream entry id (receipt) to queue and job id, for the entries this process holds.</summary>
    public ConcurrentDictionary<string, (string Queue, string JobId)> InFlight { get; } = new(StringComparer.Ordinal);

    /// <summary>The Pub/Sub channel that carries cancel requests to the process running the job.</summary>
    public RedisChannel CancelChannel { get; }

    public long RetentionMs => (long)Jobs.RetentionPeriod.TotalMilliseconds;

    public RedisQueueKeys KeysOf(string queue) => _keys.GetOrAdd(queue, static (name, prefix) => new RedisQueueKeys(prefix, name), Options.KeyPrefix);

    public async ValueTask<IDatabase> DatabaseAsync() => (await Connection.GetAsync().ConfigureAwait(false)).GetDatabase();

    /// <summary>The database for a request-path call: throws at once, nothing sent, while Redis is out of reach.</summary>
    public async ValueTask<IDatabase> AvailableDatabaseAsync()
    {
        var connection = await Connection.GetForRequestAsync().ConfigureAwait(false);
        Connection.Outage.ThrowIfDown();
        return connection.GetDatabase();
    }

    /// <summary>The queue a job id names (<c>{queue}.{random}</c>), when it is a configured one.</summary>
    public bool TryQueueOf(string jobId, out string queue)
    {
        var dot = jobId.LastIndexOf('.');
        queue = dot > 0 ? jobId[..dot] : string.Empty;
        return dot > 0 && dot < jobId.Length - 1 && _queues.Contains(queue);
    }
}
