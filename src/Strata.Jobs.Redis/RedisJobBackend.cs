using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Strata.Json;
using Strata.Jobs.Backends;
using Strata.Threading;

namespace Strata.Jobs.Redis;

/// <summary>
/// The Redis backend. Per queue: a work stream read through one consumer group, a delayed set, a
/// dead-letter stream, status hashes and idempotency keys, all hash-tagged <c>{queue}</c>.
/// At-least-once: an entry stays pending until its job reaches an outcome; a heartbeat keeps running
/// jobs' entries fresh (XCLAIM JUSTID, which does not count as a delivery), and entries idle past the
/// lease are reclaimed by any worker (XCLAIM, which does) and dead-lettered after too many deliveries.
/// </summary>
internal sealed partial class RedisJobBackend : IJobBackend
{
    private const int PromoteBatch = 500;

    // The start outcome decided for a whole batch at receipt, kept in the delivery's BackendState (boxed once).
    private static readonly object PreparedRun = StartStatus.Run;
    private static readonly object PreparedSkip = StartStatus.Skip;
    private static readonly object PreparedTooManyDeliveries = StartStatus.TooManyDeliveries;

    private readonly RedisConnection _connection;
    private readonly IRunningJobs _running;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly JobsOptions _jobs;
    private readonly RedisJobsOptions _options;
    private readonly HashSet<string> _queues;
    private readonly ConcurrentDictionary<string, long> _depth = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _nextReclaim = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string Queue, string JobId)> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SuccessBatcher> _succeeded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, EnqueueBatcher> _enqueues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Keys> _keys = new(StringComparer.Ordinal);
    private readonly AsyncSignal _wake = new();
    private readonly AsyncSignal _scheduleChanged = new();
    private readonly TimeSpan _heartbeatInterval;
    private readonly HashSet<string> _announcedIdle = new(StringComparer.Ordinal);
    private bool _idleAnnounced;
    private int _subscribed;

    public RedisJobBackend(
        RedisConnection connection,
        IRunningJobs running,
        TimeProvider time,
        IOptions<JobsOptions> jobs,
        IOptions<RedisJobsOptions> options,
        ILogger<RedisJobBackend> logger)
    {
        _connection = connection;
        _running = running;
        _time = time;
        _logger = logger;
        _jobs = jobs.Value;
        _options = options.Value;
        _queues = new(_jobs.GetEffectiveQueues().Select(q => q.Name), StringComparer.Ordinal);
        _heartbeatInterval = _options.LeaseTime / 3;
    }

    public string Name => "redis";

    public string Description => _connection.Description;

    private RedisChannel CancelChannel => RedisChannel.Literal(_options.KeyPrefix + "cancel");

    public string CreateJobId(string queue) => JobIds.Create(queue);

    public ValueTask<EnqueueResult> EnqueueAsync(JobEnvelope envelope, DateTimeOffset? runAt, bool waitForRoom, CancellationToken cancellationToken)
    {
        // Enqueues of one queue are sent together: one script call for all that arrived while the previous call was on
        // the wire (a lone enqueue goes out at once). Each caller's task completes with its own job's outcome.
        var batcher = _enqueues.GetOrAdd(envelope.Queue, static (queue, backend) => new EnqueueBatcher(backend, queue), this);
        return new ValueTask<EnqueueResult>(batcher.Add(envelope, runAt));
    }

    public async ValueTask<JobInfo?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!TryQueueOf(jobId, out var queue))
        {
            return null;
        }

        var db = await AvailableDatabaseAsync().ConfigureAwait(false);
        var fields = await db.HashGetAllAsync(KeysOf(queue).Job(jobId)).ConfigureAwait(false);
        if (fields.Length == 0)
        {
            return null;
        }

        var map = fields.ToDictionary(f => f.Name.ToString(), f => f.Value, StringComparer.Ordinal);
        string? Text(string name) => map.TryGetValue(name, out var v) && v.HasValue && !v.IsNullOrEmpty ? v.ToString() : null;
        int Int(string name) => Text(name) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 0;
        DateTimeOffset? Time(string name) => Text(name) is { } s ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(s, CultureInfo.InvariantCulture)) : null;

        return new JobInfo
        {
            Id = jobId,
            JobType = Text("type") ?? string.Empty,
            Queue = Text("queue") ?? queue,
            State = ParseState(Text("state")),
            Attempt = Int("attempt"),
            MaxAttempts = Int("max"),
            Redeliveries = Int("redeliveries"),
            CreatedAt = Time("created") ?? default,
            ScheduledFor = Time("scheduled"),
            StartedAt = Time("started"),
            CompletedAt = Time("completed"),
            Progress = Text("progress") is null ? null : Int("progress"),
            ProgressMessage = Text("pmsg"),
            Result = Text("result") is { } result ? JsonText.ToElement(result) : null,
            Error = Text("error"),
            Owner = Text("owner"),
        };
    }

    public async ValueTask<bool> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!TryQueueOf(jobId, out var queue))
        {
            return false;
        }

        var db = await AvailableDatabaseAsync().ConfigureAwait(false);
        var outcome = (int)await RedisScript.Cancel.EvaluateAsync(
            db,
            [KeysOf(queue).Job(jobId)],
            [Ms(_time.GetUtcNow()), RetentionMs]).ConfigureAwait(false);
        if (outcome == 2 && !_running.TryCancel(jobId))
        {
            var connection = await _connection.GetAsync().ConfigureAwait(false);
            await connection.GetSubscriber().PublishAsync(CancelChannel, jobId).ConfigureAwait(false);
        }

        return outcome != 0;
    }

    public async ValueTask<bool> RequeueAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!TryQueueOf(jobId, out var queue))
        {
            return false;
        }

        var db = await AvailableDatabaseAsync().ConfigureAwait(false);
        var keys = KeysOf(queue);
        var stored = await db.HashGetAsync(keys.Job(jobId), "env").ConfigureAwait(false);
        if (stored.IsNullOrEmpty)
        {
            return false;
        }

        var envelope = Deserialize((byte[])stored!)! with { Attempt = 1, EnqueuedAt = _time.GetUtcNow() };
        var done = (int)await RedisScript.Requeue.EvaluateAsync(db, [keys.Job(jobId), keys.Stream], [Serialize(envelope), keys.WakeChannel, envelope.Id]).ConfigureAwait(false);
        return done == 1;
    }

    public async ValueTask<IReadOnlyList<JobDelivery>> ReceiveAsync(string queue, int max, CancellationToken cancellationToken)
    {
        try
        {
            return await ReceiveCoreAsync(queue, max).ConfigureAwait(false);
        }
        catch (Exception ex) when (_connection.Outage.Absorb(ex))
        {
            // Redis is out of reach (logged once by the outage): nothing to run; WaitForWorkAsync waits for its end.
            return [];
        }
    }

    private async Task<IReadOnlyList<JobDelivery>> ReceiveCoreAsync(string queue, int max)
    {
        var db = await AvailableDatabaseAsync().ConfigureAwait(false);
        var keys = KeysOf(queue);
        var now = _time.GetUtcNow();
        if (!_nextReclaim.TryGetValue(queue, out var due) || due <= now)
        {
            _nextReclaim[queue] = now + (_options.LeaseTime / 2);
            var reclaimed = await ReclaimAsync(db, keys, max).ConfigureAwait(false);
            if (reclaimed.Count > 0)
            {
                await PrepareStartAsync(db, keys, reclaimed).ConfigureAwait(false);
                return reclaimed;
            }
        }

        // One call reads the batch and marks its jobs running (read_start.lua).
        var reply = (RedisResult[])(await RedisScript.ReadStart.EvaluateAsync(
            db,
            [keys.Stream],
            [_options.ConsumerGroup, _options.ConsumerName, max, Ms(now), keys.JobPrefix]).ConfigureAwait(false))!;
        if (reply.Length == 0)
        {
            return [];
        }

        await WithdrawIdleAsync(db, queue, keys).ConfigureAwait(false);
        var deliveries = new List<JobDelivery>(reply.Length / 3);
        for (var i = 0; i + 2 < reply.Length; i += 3)
        {
            var id = (string)reply[i]!;
            var raw = (byte[]?)reply[i + 1];
            var outcome = (int)reply[i + 2];
            if (outcome == 0)
            {
                // Cancelled or finished before it was read: acknowledged and deleted by the script.
                continue;
            }

            JobEnvelope? envelope = null;
            try
            {
                envelope = raw is null or { Length: 0 } ? null : Deserialize(raw);
            }
            catch (JsonException ex)
            {
                RedisJobsLog.UnreadableEntry(_logger, id, ex);
            }

            if (envelope is null || outcome != 1)
            {
                // Not an envelope this library wrote: keep it for inspection, out of the work stream.
                await DeadLetterUnreadableAsync(db, keys, id, raw).ConfigureAwait(false);
                continue;
            }

            _inFlight[id] = (envelope.Queue, envelope.Id);
            deliveries.Add(new JobDelivery(envelope, id) { BackendState = PreparedRun });
        }

        return deliveries;
    }

    public async ValueTask WaitForWorkAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        try
        {
            await _connection.GetAsync().ConfigureAwait(false);
            await _connection.Outage.WaitUntilUpAsync(cancellationToken).ConfigureAwait(false);
            await WaitForWorkCoreAsync(queues, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (_connection.Outage.Absorb(ex))
        {
            await _connection.Outage.WaitUntilUpAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForWorkCoreAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        await SubscribeAsync().ConfigureAwait(false);
        if (!_idleAnnounced)
        {
            // Enqueues wake workers only when one has said it is about to wait. Say so, and return without waiting:
            // the caller reads the queues once more, which sees every job added before this announcement; a job
            // added after it sends the wake-up. The announcement lasts two poll intervals, longer than one wait.
            await AnnounceIdleAsync(queues).ConfigureAwait(false);
            _idleAnnounced = true;
            return;
        }

        _idleAnnounced = false;
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signalled = _wake.WaitAsync(wake.Token);
        var poll = Task.Delay(_options.PollInterval, _time, wake.Token);
        await Task.WhenAny(signalled, poll).ConfigureAwait(false);
        await wake.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(signalled, poll).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }

    public async ValueTask<StartStatus> StartAsync(JobDelivery delivery, CancellationToken cancellationToken)
    {
        if (delivery.BackendState is StartStatus prepared)
        {
            // Marked running with the rest of its batch when it was received.
            return prepared;
        }

        var envelope = delivery.Envelope;
        var keys = KeysOf(envelope.Queue);
        int outcome;
        try
        {
            var db = await DatabaseAsync().ConfigureAwait(false);
            outcome = (int)await RedisScript.Start.EvaluateAsync(
                db,
                [keys.Job(envelope.Id), keys.Stream],
                [delivery.Receipt, _options.ConsumerGroup, Ms(_time.GetUtcNow()), envelope.Attempt, delivery.DeliveryCount, _options.MaxDeliveries]).ConfigureAwait(false);
        }
        catch
        {
            // Not started: stop heart-beating the entry, so its lease runs out and it is delivered again.
            _inFlight.TryRemove(delivery.Receipt!, out _);
            throw;
        }

        switch (outcome)
        {
            case 0:
                _inFlight.TryRemove(delivery.Receipt!, out _);
                return StartStatus.Skip;
            case 2:
                return StartStatus.TooManyDeliveries;
            default:
                return StartStatus.Run;
        }
    }

    public async ValueTask ReportProgressAsync(JobDelivery delivery, int percent, string? message, CancellationToken cancellationToken)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var key = KeysOf(delivery.Envelope.Queue).Job(delivery.Envelope.Id);
        await db.HashSetAsync(key, [new("progress", percent), new("pmsg", message ?? string.Empty)]).ConfigureAwait(false);
    }

    public ValueTask SucceedAsync(JobDelivery delivery, string? resultJson, CancellationToken cancellationToken)
    {
        if (delivery.Receipt is null)
        {
            return FinishAsync(delivery, "succeeded", resultJson, error: null);
        }

        // Successes of one queue are recorded together: one script call (and one XACK/XDEL) for all that
        // finished while the previous call was on the wire. The task completes once Redis has recorded this one.
        var batcher = _succeeded.GetOrAdd(delivery.Envelope.Queue, static (queue, backend) => new SuccessBatcher(backend, queue), this);
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
        var keys = KeysOf(envelope.Queue);
        try
        {
            var db = await DatabaseAsync().ConfigureAwait(false);
            await RedisScript.Retry.EvaluateAsync(
                db,
                [keys.Job(envelope.Id), keys.Stream, keys.Delayed],
                [delivery.Receipt, _options.ConsumerGroup, Ms(retryAt), Serialize(next), error, Ms(_time.GetUtcNow()), RetentionMs]).ConfigureAwait(false);
        }
        finally
        {
            // Recorded, or not: then the entry stays pending and, no longer heart-beaten, is delivered again after the lease.
            _inFlight.TryRemove(delivery.Receipt!, out _);
        }

        _scheduleChanged.Set();
    }

    public async ValueTask ReleaseAsync(JobDelivery delivery, CancellationToken cancellationToken)
    {
        var envelope = delivery.Envelope;
        var keys = KeysOf(envelope.Queue);
        try
        {
            var db = await DatabaseAsync().ConfigureAwait(false);
            await RedisScript.Release.EvaluateAsync(
                db,
                [keys.Job(envelope.Id), keys.Stream],
                [delivery.Receipt, _options.ConsumerGroup, Serialize(envelope), keys.WakeChannel, envelope.Id, envelope.Attempt]).ConfigureAwait(false);
        }
        finally
        {
            // Handed back, or not: then the entry, no longer heart-beaten, is delivered again after the lease.
            _inFlight.TryRemove(delivery.Receipt!, out _);
        }
    }

    public async Task RunAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        var nextHeartbeat = _time.GetUtcNow();
        var nextConsumerSweep = nextHeartbeat + (_options.LeaseTime * 10);
        var groupsReady = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var wait = _options.PollInterval;
            try
            {
                var db = await DatabaseAsync().ConfigureAwait(false);
                if (_connection.Outage.IsDown)
                {
                    // Promotion, heartbeat and reaper pause until Redis is back (an event, or the outage's own check).
                    await _connection.Outage.WaitUntilUpAsync(cancellationToken).ConfigureAwait(false);
                    groupsReady = false;
                }

                await SubscribeAsync().ConfigureAwait(false);
                if (!groupsReady)
                {
                    foreach (var queue in queues)
                    {
                        await EnsureGroupAsync(db, KeysOf(queue)).ConfigureAwait(false);
                    }

                    groupsReady = true;
                }

                var now = _time.GetUtcNow();
                foreach (var queue in queues)
                {
                    var keys = KeysOf(queue);
                    var result = (RedisResult[])(await RedisScript.Promote.EvaluateAsync(
                        db,
                        [keys.Delayed, keys.Stream],
                        [Ms(now), PromoteBatch, keys.WakeChannel, keys.JobPrefix]).ConfigureAwait(false))!;
                    var nextDue = (long)result[1];
                    if ((long)result[0] >= PromoteBatch)
                    {
                        wait = TimeSpan.Zero;
                    }
                    else if (nextDue >= 0)
                    {
                        var until = DateTimeOffset.FromUnixTimeMilliseconds(nextDue) - now;
                        if (until < wait)
                        {
                            wait = until < TimeSpan.Zero ? TimeSpan.Zero : until;
                        }
                    }

                    var length = await db.StreamLengthAsync(keys.Stream).ConfigureAwait(false);
                    var pending = await db.StreamPendingAsync(keys.Stream, _options.ConsumerGroup).ConfigureAwait(false);
                    _depth[queue] = Math.Max(0, length - pending.PendingMessageCount);
                }

                if (now >= nextHeartbeat)
                {
                    await HeartbeatAsync(db).ConfigureAwait(false);
                    nextHeartbeat = now + _heartbeatInterval;
                }

                if (now >= nextConsumerSweep)
                {
                    foreach (var queue in queues)
                    {
                        await RemoveGoneConsumersAsync(db, KeysOf(queue)).ConfigureAwait(false);
                    }

                    nextConsumerSweep = now + (_options.LeaseTime * 10);
                }

                var untilHeartbeat = nextHeartbeat - now;
                if (untilHeartbeat < wait)
                {
                    wait = untilHeartbeat;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                if (!_connection.Outage.Absorb(ex))
                {
                    RedisJobsLog.BackgroundFailed(_logger, ex);
                }

                groupsReady = false;
                wait = TimeSpan.FromSeconds(1);
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var signalled = _scheduleChanged.WaitAsync(wake.Token);
            var elapsed = Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, _time, wake.Token);
            await Task.WhenAny(signalled, elapsed).ConfigureAwait(false);
            await wake.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(signalled, elapsed).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public long GetDepth(string queue) => _depth.TryGetValue(queue, out var depth) ? depth : 0;

    public bool JobsLiveInProcess => false;

    public long CountWaitingJobs() => 0;

    public async ValueTask<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var connection = await _connection.GetAsync().ConfigureAwait(false);
        if (_connection.Outage.Describe() is { } outage)
        {
            return HealthCheckResult.Unhealthy(outage);
        }

        var db = connection.GetDatabase();
        var latency = await db.PingAsync().ConfigureAwait(false);
        return HealthCheckResult.Healthy($"Redis answers ({latency.TotalMilliseconds:0.#} ms).");
    }

    public string? DescribeOutage() => _connection.Outage.Describe();

    private long RetentionMs => (long)_jobs.RetentionPeriod.TotalMilliseconds;

    private async ValueTask FinishAsync(JobDelivery delivery, string state, string? resultJson, string? error)
    {
        var envelope = delivery.Envelope;
        var keys = KeysOf(envelope.Queue);
        try
        {
            await FinishCoreAsync(delivery, state, resultJson, error, keys).ConfigureAwait(false);
        }
        finally
        {
            // Recorded, or not: then the entry stays pending and, no longer heart-beaten, is delivered again after the lease.
            if (delivery.Receipt is not null)
            {
                _inFlight.TryRemove(delivery.Receipt, out _);
            }
        }
    }

    private async Task FinishCoreAsync(JobDelivery delivery, string state, string? resultJson, string? error, Keys keys)
    {
        var envelope = delivery.Envelope;
        var db = await DatabaseAsync().ConfigureAwait(false);
        await RedisScript.Finish.EvaluateAsync(
            db,
            [keys.Job(envelope.Id), keys.Stream, keys.DeadLetters],
            [
                delivery.Receipt ?? string.Empty,
                _options.ConsumerGroup,
                state,
                Ms(_time.GetUtcNow()),
                RetentionMs,
                resultJson ?? string.Empty,
                error ?? string.Empty,
                state == "dead" ? Serialize(envelope) : RedisValue.EmptyString,
                envelope.Id,
                _options.DeadLetterMaxLength,
            ]).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds this consumer to the idle set of each queue (score: until when, unix ms) and drops members whose time
    /// has passed (stopped hosts). Called only by the dispatch loop, like <see cref="ReceiveAsync"/>.
    /// </summary>
    private async Task AnnounceIdleAsync(IReadOnlyList<string> queues)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var until = (now + (_options.PollInterval * 2)).ToUnixTimeMilliseconds();
        var calls = new List<Task>(queues.Count * 2);
        foreach (var queue in queues)
        {
            var keys = KeysOf(queue);
            calls.Add(db.SortedSetRemoveRangeByScoreAsync(keys.Idle, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), Exclude.Stop));
            calls.Add(db.SortedSetAddAsync(keys.Idle, _options.ConsumerName, until));
            _announcedIdle.Add(queue);
        }

        await Task.WhenAll(calls).ConfigureAwait(false);
    }

    /// <summary>Takes this consumer out of a queue's idle set once it reads work there, so busy queues send no wake-ups.</summary>
    private async Task WithdrawIdleAsync(IDatabase db, string queue, Keys keys)
    {
        _idleAnnounced = false;
        if (_announcedIdle.Remove(queue))
        {
            await db.SortedSetRemoveAsync(keys.Idle, _options.ConsumerName).ConfigureAwait(false);
        }
    }

    /// <summary>Marks a batch of received jobs running in one script call; each delivery keeps its outcome for <see cref="StartAsync"/>.</summary>
    private async Task PrepareStartAsync(IDatabase db, Keys keys, IReadOnlyList<JobDelivery> deliveries)
    {
        if (deliveries.Count == 0)
        {
            return;
        }

        var scriptKeys = new RedisKey[deliveries.Count + 1];
        var values = new RedisValue[3 + (3 * deliveries.Count)];
        scriptKeys[0] = keys.Stream;
        values[0] = _options.ConsumerGroup;
        values[1] = Ms(_time.GetUtcNow());
        values[2] = _options.MaxDeliveries;
        for (var i = 0; i < deliveries.Count; i++)
        {
            var delivery = deliveries[i];
            scriptKeys[i + 1] = keys.Job(delivery.Envelope.Id);
            values[3 + (3 * i)] = delivery.Receipt;
            values[4 + (3 * i)] = delivery.Envelope.Attempt;
            values[5 + (3 * i)] = delivery.DeliveryCount;
        }

        RedisResult[] outcomes;
        try
        {
            outcomes = (RedisResult[])(await RedisScript.StartBatch.EvaluateAsync(db, scriptKeys, values).ConfigureAwait(false))!;
        }
        catch
        {
            // Not handed to a worker: stop heart-beating them, so their lease runs out and they are delivered again.
            foreach (var delivery in deliveries)
            {
                _inFlight.TryRemove(delivery.Receipt!, out _);
            }

            throw;
        }

        for (var i = 0; i < deliveries.Count; i++)
        {
            var delivery = deliveries[i];
            switch ((int)outcomes[i])
            {
                case 0:
                    delivery.BackendState = PreparedSkip;
                    _inFlight.TryRemove(delivery.Receipt!, out _);
                    break;
                case 2:
                    delivery.BackendState = PreparedTooManyDeliveries;
                    break;
                default:
                    delivery.BackendState = PreparedRun;
                    break;
            }
        }
    }

    /// <summary>
    /// Adds a batch of jobs of one queue, one script call per (at most) <see cref="EnqueueBatcher.MaxBatch"/> jobs, and
    /// completes each job's task with its outcome or the call's error. Never throws.
    /// </summary>
    private async Task EnqueueBatchAsync(string queue, List<PendingEnqueue> batch)
    {
        var keys = KeysOf(queue);
        IDatabase db;
        try
        {
            // While Redis is out of reach the batch fails at once, unsent: its callers know the jobs were not queued.
            db = await AvailableDatabaseAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.TrySetException(ex);
            }

            return;
        }

        var lifetime = (long)_jobs.IdempotencyKeyLifetime.TotalMilliseconds;
        var now = Ms(_time.GetUtcNow());
        var calls = new List<(int Start, int Count, Task<RedisResult> Call)>((batch.Count / EnqueueBatcher.MaxBatch) + 1);
        for (var start = 0; start < batch.Count; start += EnqueueBatcher.MaxBatch)
        {
            var count = Math.Min(EnqueueBatcher.MaxBatch, batch.Count - start);
            Task<RedisResult> call;
            try
            {
                var scriptKeys = new RedisKey[3 + (2 * count)];
                var values = new RedisValue[4 + (8 * count)];
                scriptKeys[0] = keys.Stream;
                scriptKeys[1] = keys.Delayed;
                scriptKeys[2] = keys.Idle;
                values[0] = keys.WakeChannel;
                values[1] = lifetime;
                values[2] = queue;
                values[3] = now;
                for (var i = 0; i < count; i++)
                {
                    var pending = batch[start + i];
                    var envelope = pending.Envelope;
                    scriptKeys[3 + (2 * i)] = keys.Job(envelope.Id);
                    scriptKeys[4 + (2 * i)] = envelope.IdempotencyKey is { } idempotencyKey ? keys.Idempotency(idempotencyKey) : keys.NoIdempotency;
                    var a = 4 + (8 * i);
                    values[a] = envelope.Id;
                    values[a + 1] = Serialize(envelope);
                    values[a + 2] = pending.RunAt is { } at ? Ms(at) : RedisValue.EmptyString;
                    values[a + 3] = envelope.IdempotencyKey is null ? 0 : 1;
                    values[a + 4] = envelope.JobType;
                    values[a + 5] = envelope.MaxAttempts;
                    values[a + 6] = envelope.Owner ?? string.Empty;
                    values[a + 7] = Ms(envelope.CreatedAt);
                }

                call = RedisScript.EnqueueBatch.EvaluateAsync(db, scriptKeys, values);
            }
            catch (Exception ex)
            {
                call = Task.FromException<RedisResult>(ex);
            }

            calls.Add((start, count, call));
        }

        foreach (var (start, count, call) in calls)
        {
            try
            {
                var reply = (RedisResult[])(await call.ConfigureAwait(false))!;
                for (var i = 0; i < count; i++)
                {
                    var pending = batch[start + i];
                    pending.TrySetResult((int)reply[2 * i] == 1
                        ? new(EnqueueStatus.Enqueued, pending.Envelope.Id)
                        : new(EnqueueStatus.Duplicate, (string?)reply[(2 * i) + 1]));
                }
            }
            catch (Exception ex)
            {
                for (var i = 0; i < count; i++)
                {
                    batch[start + i].TrySetException(ex);
                }
            }
        }
    }

    /// <summary>Records succeeded jobs of one queue in one script call per (at most) <see cref="SuccessBatcher.MaxBatch"/> jobs.</summary>
    private async Task SucceedBatchAsync(string queue, List<(JobDelivery Delivery, string? Result)> items)
    {
        var db = await DatabaseAsync().ConfigureAwait(false);
        var keys = KeysOf(queue);
        var now = Ms(_time.GetUtcNow());
        var calls = new List<Task>();
        for (var start = 0; start < items.Count; start += SuccessBatcher.MaxBatch)
        {
            var count = Math.Min(SuccessBatcher.MaxBatch, items.Count - start);
            var scriptKeys = new RedisKey[count + 1];
            var values = new RedisValue[3 + (2 * count)];
            scriptKeys[0] = keys.Stream;
            values[0] = _options.ConsumerGroup;
            values[1] = now;
            values[2] = RetentionMs;
            for (var i = 0; i < count; i++)
            {
                var (delivery, result) = items[start + i];
                scriptKeys[i + 1] = keys.Job(delivery.Envelope.Id);
                values[3 + (2 * i)] = delivery.Receipt;
                values[4 + (2 * i)] = result ?? string.Empty;
            }

            calls.Add(RedisScript.SucceedBatch.EvaluateAsync(db, scriptKeys, values));
        }

        try
        {
            await Task.WhenAll(calls).ConfigureAwait(false);
        }
        finally
        {
            // Recorded, or not (then the entries stay pending and, no longer heart-beaten, are delivered again after the lease).
            foreach (var (delivery, _) in items)
            {
                _inFlight.TryRemove(delivery.Receipt!, out _);
            }
        }
    }

    /// <summary>Claims entries idle past the lease (their worker stopped), counting the delivery.</summary>
    private async Task<IReadOnlyList<JobDelivery>> ReclaimAsync(IDatabase db, Keys keys, int max)
    {
        var lease = (long)_options.LeaseTime.TotalMilliseconds;
        (RedisValue MessageId, int DeliveryCount)[] pending;
        try
        {
            pending = await PendingIdleAsync(db, keys.Stream, _options.ConsumerGroup, max, lease).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            return [];
        }

        if (pending.Length == 0)
        {
            return [];
        }

        var counts = pending.ToDictionary(p => p.MessageId.ToString(), p => p.DeliveryCount, StringComparer.Ordinal);
        var claimed = await db.StreamClaimAsync(keys.Stream, _options.ConsumerGroup, _options.ConsumerName, lease, [.. pending.Select(p => p.MessageId)]).ConfigureAwait(false);
        var deliveries = await ToDeliveriesAsync(db, keys, claimed, id => counts.TryGetValue(id, out var n) ? n + 1 : 2).ConfigureAwait(false);
        foreach (var delivery in deliveries)
        {
            RedisJobsLog.Reclaimed(_logger, delivery.Envelope.Id, delivery.DeliveryCount);
        }

        return deliveries;
    }

    /// <summary>
    /// <c>XPENDING key group IDLE ms - + count</c>: the pending entries idle for at least <paramref name="minIdleMs"/>.
    /// Sent as a raw command because StackExchange.Redis has a typed overload with an idle time only from 3.x, and the
    /// package supports 2.8 (the key is passed as a <see cref="RedisKey"/>, so Cluster routing and key prefixes apply).
    /// </summary>
    private static async Task<(RedisValue MessageId, int DeliveryCount)[]> PendingIdleAsync(IDatabase db, RedisKey stream, RedisValue group, int max, long minIdleMs)
    {
        var result = await db.ExecuteAsync("XPENDING", stream, group, "IDLE", minIdleMs, "-", "+", max).ConfigureAwait(false);
        var rows = (RedisResult[])result!;
        var pending = new (RedisValue, int)[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var row = (RedisResult[])rows[i]!;
            pending[i] = ((RedisValue)row[0], (int)row[3]);
        }

        return pending;
    }

    private async Task<IReadOnlyList<JobDelivery>> ToDeliveriesAsync(IDatabase db, Keys keys, StreamEntry[] entries, Func<string, int> deliveryCount)
    {
        if (entries.Length == 0)
        {
            return [];
        }

        var deliveries = new List<JobDelivery>(entries.Length);
        foreach (var entry in entries)
        {
            if (entry.IsNull)
            {
                continue;
            }

            var id = entry.Id.ToString();
            JobEnvelope? envelope = null;
            try
            {
                var raw = entry["e"];
                envelope = raw.IsNullOrEmpty ? null : Deserialize((byte[])raw!);
            }
            catch (JsonException ex)
            {
                RedisJobsLog.UnreadableEntry(_logger, id, ex);
            }

            if (envelope is null)
            {
                // Not an envelope this library wrote: keep it for inspection, out of the work stream.
                await DeadLetterUnreadableAsync(db, keys, id, entry["e"]).ConfigureAwait(false);
                continue;
            }

            _inFlight[id] = (envelope.Queue, envelope.Id);
            deliveries.Add(new JobDelivery(envelope, id, deliveryCount(id)));
        }

        return deliveries;
    }

    private async Task DeadLetterUnreadableAsync(IDatabase db, Keys keys, string entryId, RedisValue raw)
    {
        await db.StreamAddAsync(keys.DeadLetters, [new("entry", entryId), new("error", "The stream entry is not a job envelope."), new("e", raw)], maxLength: _options.DeadLetterMaxLength, useApproximateMaxLength: true).ConfigureAwait(false);
        await db.StreamAcknowledgeAsync(keys.Stream, _options.ConsumerGroup, entryId).ConfigureAwait(false);
        await db.StreamDeleteAsync(keys.Stream, [entryId]).ConfigureAwait(false);
    }

    /// <summary>
    /// Keeps the entries of running jobs fresh so no other worker reclaims them (JUSTID does not raise the
    /// delivery count), and picks up cancel requests whose Pub/Sub message was missed (a reconnect).
    /// </summary>
    private async Task HeartbeatAsync(IDatabase db)
    {
        foreach (var group in _inFlight.GroupBy(p => p.Value.Queue, StringComparer.Ordinal))
        {
            var keys = KeysOf(group.Key);
            var ids = group.Select(p => (RedisValue)p.Key).ToArray();
            await db.StreamClaimIdsOnlyAsync(keys.Stream, _options.ConsumerGroup, _options.ConsumerName, 0, ids).ConfigureAwait(false);
            foreach (var (_, (_, jobId)) in group)
            {
                if (_running.IsRunning(jobId) && await db.HashGetAsync(keys.Job(jobId), "cancel").ConfigureAwait(false) == "1")
                {
                    _running.TryCancel(jobId);
                }
            }
        }
    }

    /// <summary>
    /// Removes consumers of stopped hosts (every start uses a new name) once they hold no pending entry and
    /// have been idle for ten leases; a live worker reads at least every poll interval, so it is never idle that long.
    /// </summary>
    private async Task RemoveGoneConsumersAsync(IDatabase db, Keys keys)
    {
        var limit = (long)(_options.LeaseTime.TotalMilliseconds * 10);
        foreach (var consumer in await db.StreamConsumerInfoAsync(keys.Stream, _options.ConsumerGroup).ConfigureAwait(false))
        {
            if (consumer.PendingMessageCount == 0 && consumer.IdleTimeInMilliseconds > limit && consumer.Name != _options.ConsumerName)
            {
                await db.StreamDeleteConsumerAsync(keys.Stream, _options.ConsumerGroup, consumer.Name).ConfigureAwait(false);
                RedisJobsLog.ConsumerRemoved(_logger, consumer.Name);
            }
        }
    }

    private async Task EnsureGroupAsync(IDatabase db, Keys keys)
    {
        try
        {
            await db.StreamCreateConsumerGroupAsync(keys.Stream, _options.ConsumerGroup, "0", createStream: true).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another worker created it.
        }
    }

    private async ValueTask SubscribeAsync()
    {
        if (Volatile.Read(ref _subscribed) == 1)
        {
            return;
        }

        var connection = await _connection.GetAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _subscribed, 1) == 1)
        {
            return;
        }

        try
        {
            var subscriber = connection.GetSubscriber();
            foreach (var queue in _queues)
            {
                await subscriber.SubscribeAsync(RedisChannel.Literal(KeysOf(queue).WakeChannel), (_, message) =>
                {
                    _wake.Set();
                    if (message == "scheduled")
                    {
                        _scheduleChanged.Set();
                    }
                }).ConfigureAwait(false);
            }

            await subscriber.SubscribeAsync(CancelChannel, (_, message) => _running.TryCancel(message.ToString())).ConfigureAwait(false);

            // After a reconnect, look at the queues at once (messages sent while disconnected are lost).
            connection.ConnectionRestored += (_, _) =>
            {
                _wake.Set();
                _scheduleChanged.Set();
            };
        }
        catch
        {
            Volatile.Write(ref _subscribed, 0);
            throw;
        }
    }

    private Keys KeysOf(string queue) => _keys.GetOrAdd(queue, static (name, prefix) => new Keys(prefix, name), _options.KeyPrefix);

    private async ValueTask<IDatabase> DatabaseAsync() => (await _connection.GetAsync().ConfigureAwait(false)).GetDatabase();

    /// <summary>The database for a request-path call: throws at once, nothing sent, while Redis is out of reach.</summary>
    private async ValueTask<IDatabase> AvailableDatabaseAsync()
    {
        var connection = await _connection.GetForRequestAsync().ConfigureAwait(false);
        _connection.Outage.ThrowIfDown();
        return connection.GetDatabase();
    }

    private bool TryQueueOf(string jobId, out string queue)
    {
        var dot = jobId.LastIndexOf('.');
        queue = dot > 0 ? jobId[..dot] : string.Empty;
        return dot > 0 && dot < jobId.Length - 1 && _queues.Contains(queue);
    }

    private static JobState ParseState(string? state) => state switch
    {
        "queued" => JobState.Queued,
        "scheduled" => JobState.Scheduled,
        "running" => JobState.Running,
        "succeeded" => JobState.Succeeded,
        "failed" => JobState.Failed,
        "dead" => JobState.Dead,
        "cancelled" => JobState.Cancelled,
        _ => JobState.Queued,
    };

    private static RedisValue Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>The envelope as UTF-8 JSON: what Redis stores, with no UTF-16 string in between.</summary>
    private static byte[] Serialize(JobEnvelope envelope) => JsonSerializer.SerializeToUtf8Bytes(envelope, RedisEnvelopeJson.Default.JobEnvelope);

    private static JobEnvelope? Deserialize(byte[] json) => JsonSerializer.Deserialize(json, RedisEnvelopeJson.Default.JobEnvelope);
}
