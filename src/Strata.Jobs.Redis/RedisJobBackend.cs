using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Strata.Jobs.Backends;
using static Strata.Jobs.Redis.RedisValues;

namespace Strata.Jobs.Redis;

/// <summary>
/// The Redis backend. Per queue: a work stream read through one consumer group, a delayed set, a
/// dead-letter stream, status hashes and idempotency keys, all hash-tagged <c>{queue}</c>.
/// At-least-once: an entry stays pending until its job reaches an outcome; a heartbeat keeps running
/// jobs' entries fresh (XCLAIM JUSTID, which does not count as a delivery), and entries idle past the
/// lease are reclaimed by any worker (XCLAIM, which does) and dead-lettered after too many deliveries.
/// </summary>
/// <remarks>
/// This class records outcomes; its parts do the rest: <see cref="RedisEnqueueBatcher"/> and
/// <see cref="RedisSuccessBatcher"/> batch writes per queue, <see cref="RedisReceiver"/> reads work (with
/// <see cref="RedisReclaimer"/>), <see cref="RedisMaintenance"/> runs the background loop (with
/// <see cref="RedisHeartbeat"/>), <see cref="RedisSubscriptions"/> listens on Pub/Sub, and
/// <see cref="RedisStatusReader"/> reads status; <see cref="RedisBackendContext"/> is what they share.
/// </remarks>
internal sealed partial class RedisJobBackend : IJobBackend
{
    private readonly RedisBackendContext _context;
    private readonly RedisSubscriptions _subscriptions;
    private readonly RedisReceiver _receiver;
    private readonly RedisMaintenance _maintenance;
    private readonly RedisStatusReader _status;
    private readonly RedisSearch _search;
    private readonly RedisBulk _bulk;
    private readonly RedisSchedules _schedules;
    private readonly RedisLimits _limits;
    private readonly ConcurrentDictionary<string, RedisSuccessBatcher> _succeeded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RedisEnqueueBatcher> _enqueues = new(StringComparer.Ordinal);

    public RedisJobBackend(
        RedisConnection connection,
        IRunningJobs running,
        TimeProvider time,
        IOptions<JobsOptions> jobs,
        IOptions<RedisJobsOptions> options,
        ILogger<RedisJobBackend> logger)
    {
        _context = new RedisBackendContext(connection, running, time, jobs.Value, options.Value, logger);
        _subscriptions = new RedisSubscriptions(_context);
        _receiver = new RedisReceiver(_context, new RedisReclaimer(_context), _subscriptions);
        _maintenance = new RedisMaintenance(_context, _subscriptions, new RedisHeartbeat(_context));
        _status = new RedisStatusReader(_context);
        _search = new RedisSearch(_context);
        _bulk = new RedisBulk(_context, _search);
        _schedules = new RedisSchedules(_context);
        _limits = new RedisLimits(_context);
        PausedKey = _context.Options.KeyPrefix + "paused";
    }

    public string Name => "redis";

    /// <summary>The set of paused queues' names, one key for the fleet.</summary>
    private RedisKey PausedKey { get; }

    public string Description => _context.Connection.Description;

    public bool JobsLiveInProcess => false;

    public string CreateJobId(string queue) => JobIds.Create(queue);

    public ValueTask<EnqueueResult> EnqueueAsync(JobEnvelope envelope, DateTimeOffset? runAt, bool waitForRoom, CancellationToken cancellationToken)
    {
        // Enqueues of one queue are sent together: one script call for all that arrived while the previous call was on
        // the wire (a lone enqueue goes out at once). Each caller's task completes with its own job's outcome.
        var batcher = _enqueues.GetOrAdd(envelope.Queue, static (queue, context) => new RedisEnqueueBatcher(context, queue), _context);
        return new ValueTask<EnqueueResult>(batcher.Add(envelope, runAt));
    }

    public ValueTask<JobInfo?> GetAsync(string jobId, CancellationToken cancellationToken) => _status.GetAsync(jobId);

    public async ValueTask<bool> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!_context.TryQueueOf(jobId, out var queue))
        {
            return false;
        }

        var db = await _context.AvailableDatabaseAsync().ConfigureAwait(false);
        var outcome = (int)await RedisScript.Cancel.EvaluateAsync(
            db,
            [_context.KeysOf(queue).Job(jobId)],
            [Ms(_context.Time.GetUtcNow()), _context.RetentionMs, _context.KeysOf(queue).IndexPrefix]).ConfigureAwait(false);
        if (outcome == 2 && !_context.Running.TryCancel(jobId))
        {
            var connection = await _context.Connection.GetAsync().ConfigureAwait(false);
            await connection.GetSubscriber().PublishAsync(_context.CancelChannel, jobId).ConfigureAwait(false);
        }

        return outcome != 0;
    }

    public async ValueTask<JobEnvelope?> GetEnvelopeAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!_context.TryQueueOf(jobId, out var queue))
        {
            return null;
        }

        var db = await _context.AvailableDatabaseAsync().ConfigureAwait(false);
        // 'enq' is written at enqueue; a dead job written before that field existed still has its 'env'.
        var fields = await db.HashGetAsync(_context.KeysOf(queue).Job(jobId), ["enq", "env", "gone"]).ConfigureAwait(false);
        if (!fields[2].IsNull)
        {
            return null;
        }

        var stored = !fields[0].IsNullOrEmpty ? fields[0] : fields[1];
        return stored.IsNullOrEmpty ? null : Deserialize((byte[])stored!);
    }

    public async ValueTask<bool> RequeueAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!_context.TryQueueOf(jobId, out var queue))
        {
            return false;
        }

        var db = await _context.AvailableDatabaseAsync().ConfigureAwait(false);
        var keys = _context.KeysOf(queue);
        var stored = await db.HashGetAsync(keys.Job(jobId), "env").ConfigureAwait(false);
        if (stored.IsNullOrEmpty)
        {
            return false;
        }

        var envelope = Deserialize((byte[])stored!)! with { Attempt = 1, EnqueuedAt = _context.Time.GetUtcNow() };
        var done = (int)await RedisScript.Requeue.EvaluateAsync(db, [keys.Job(jobId), keys.Stream], [Serialize(envelope), keys.WakeChannel, envelope.Id, keys.IndexPrefix]).ConfigureAwait(false);
        return done == 1;
    }

    public ValueTask<IReadOnlyList<JobDelivery>> ReceiveAsync(string queue, int max, CancellationToken cancellationToken) =>
        _receiver.ReceiveAsync(queue, max, cancellationToken);

    public ValueTask WaitForWorkAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken) =>
        _receiver.WaitForWorkAsync(queues, cancellationToken);

    public async ValueTask<StartStatus> StartAsync(JobDelivery delivery, CancellationToken cancellationToken)
    {
        if (delivery.BackendState is StartStatus prepared)
        {
            // Marked running with the rest of its batch when it was received.
            return prepared;
        }

        var envelope = delivery.Envelope;
        var keys = _context.KeysOf(envelope.Queue);
        int outcome;
        try
        {
            var db = await _context.DatabaseAsync().ConfigureAwait(false);
            outcome = (int)await RedisScript.Start.EvaluateAsync(
                db,
                [keys.Job(envelope.Id), keys.Stream],
                [delivery.Receipt, _context.Options.ConsumerGroup, Ms(_context.Time.GetUtcNow()), envelope.Attempt, delivery.DeliveryCount, _context.Options.MaxDeliveries, keys.IndexPrefix]).ConfigureAwait(false);
        }
        catch
        {
            // Not started: stop heart-beating the entry, so its lease runs out and it is delivered again.
            _context.InFlight.TryRemove(delivery.Receipt!, out _);
            throw;
        }

        switch (outcome)
        {
            case 0:
                _context.InFlight.TryRemove(delivery.Receipt!, out _);
                return StartStatus.Skip;
            case 2:
                return StartStatus.TooManyDeliveries;
            default:
                return StartStatus.Run;
        }
    }

    public async ValueTask ReportProgressAsync(JobDelivery delivery, int percent, string? message, CancellationToken cancellationToken)
    {
        var db = await _context.DatabaseAsync().ConfigureAwait(false);
        var key = _context.KeysOf(delivery.Envelope.Queue).Job(delivery.Envelope.Id);
        await RedisScript.Progress.EvaluateAsync(db, [key], [percent, message ?? string.Empty]).ConfigureAwait(false);
    }

    public ValueTask SucceedAsync(JobDelivery delivery, string? resultJson, CancellationToken cancellationToken)
    {
        if (delivery.Receipt is null)
        {
            return FinishAsync(delivery, "succeeded", resultJson, error: null);
        }

        // Successes of one queue are recorded together: one script call (and one XACK/XDEL) for all that
        // finished while the previous call was on the wire. The task completes once Redis has recorded this one.
        var batcher = _succeeded.GetOrAdd(delivery.Envelope.Queue, static (queue, context) => new RedisSuccessBatcher(context, queue), _context);
        return new ValueTask(batcher.Add(delivery, resultJson));
    }

    public ValueTask DeadLetterAsync(JobDelivery delivery, string error, CancellationToken cancellationToken) =>
        FinishAsync(delivery, "dead", resultJson: null, error);

    public ValueTask CancelledAsync(JobDelivery delivery, CancellationToken cancellationToken) =>
        FinishAsync(delivery, "cancelled", resultJson: null, error: null);

    public async ValueTask RetryAsync(JobDelivery delivery, DateTimeOffset retryAt, string error, CancellationToken cancellationToken)
    {
        var envelope = delivery.Envelope;
        var next = envelope with { Attempt = envelope.Attempt + 1, EnqueuedAt = retryAt };
        var keys = _context.KeysOf(envelope.Queue);
        try
        {
            var db = await _context.DatabaseAsync().ConfigureAwait(false);
            await RedisScript.Retry.EvaluateAsync(
                db,
                [keys.Job(envelope.Id), keys.Stream, keys.Delayed],
                [delivery.Receipt, _context.Options.ConsumerGroup, Ms(retryAt), Serialize(next), error, Ms(_context.Time.GetUtcNow()), _context.RetentionMs, keys.IndexPrefix]).ConfigureAwait(false);
        }
        finally
        {
            // Recorded, or not: then the entry stays pending and, no longer heart-beaten, is delivered again after the lease.
            _context.InFlight.TryRemove(delivery.Receipt!, out _);
        }

        _subscriptions.ScheduleChanged();
    }

    public async ValueTask ReleaseAsync(JobDelivery delivery, CancellationToken cancellationToken)
    {
        var envelope = delivery.Envelope;
        var keys = _context.KeysOf(envelope.Queue);
        try
        {
            var db = await _context.DatabaseAsync().ConfigureAwait(false);
            await RedisScript.Release.EvaluateAsync(
                db,
                [keys.Job(envelope.Id), keys.Stream],
                [delivery.Receipt, _context.Options.ConsumerGroup, Serialize(envelope), keys.WakeChannel, envelope.Id, envelope.Attempt, keys.IndexPrefix]).ConfigureAwait(false);
        }
        finally
        {
            // Handed back, or not: then the entry, no longer heart-beaten, is delivered again after the lease.
            _context.InFlight.TryRemove(delivery.Receipt!, out _);
        }
    }

    public Task RunAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken) => _maintenance.RunAsync(queues, cancellationToken);

    public long GetDepth(string queue) => _maintenance.GetDepth(queue);

    public long CountWaitingJobs() => 0;

    public async ValueTask<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var connection = await _context.Connection.GetAsync().ConfigureAwait(false);
        if (_context.Connection.Outage.Describe() is { } outage)
        {
            return HealthCheckResult.Unhealthy(outage);
        }

        var db = connection.GetDatabase();
        var latency = await db.PingAsync().ConfigureAwait(false);
        return HealthCheckResult.Healthy($"Redis answers ({latency.TotalMilliseconds:0.#} ms).");
    }

    public string? DescribeOutage() => _context.Connection.Outage.Describe();

    private async ValueTask FinishAsync(JobDelivery delivery, string state, string? resultJson, string? error)
    {
        var envelope = delivery.Envelope;
        var keys = _context.KeysOf(envelope.Queue);
        try
        {
            await FinishCoreAsync(delivery, state, resultJson, error, keys).ConfigureAwait(false);
        }
        finally
        {
            // Recorded, or not: then the entry stays pending and, no longer heart-beaten, is delivered again after the lease.
            if (delivery.Receipt is not null)
            {
                _context.InFlight.TryRemove(delivery.Receipt, out _);
            }
        }
    }

    private async Task FinishCoreAsync(JobDelivery delivery, string state, string? resultJson, string? error, RedisQueueKeys keys)
    {
        var envelope = delivery.Envelope;
        var db = await _context.DatabaseAsync().ConfigureAwait(false);
        await RedisScript.Finish.EvaluateAsync(
            db,
            [keys.Job(envelope.Id), keys.Stream, keys.DeadLetters],
            [
                delivery.Receipt ?? string.Empty,
                _context.Options.ConsumerGroup,
                state,
                Ms(_context.Time.GetUtcNow()),
                _context.RetentionMs,
                resultJson ?? string.Empty,
                error ?? string.Empty,
                state == "dead" ? Serialize(envelope) : RedisValue.EmptyString,
                envelope.Id,
                _context.Options.DeadLetterMaxLength,
                keys.IndexPrefix,
            ]).ConfigureAwait(false);
    }
}
