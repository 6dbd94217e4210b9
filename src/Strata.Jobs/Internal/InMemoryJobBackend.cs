using System.Threading.Channels;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// The in-process backend: one bounded channel per queue, status in a table of reusable records
/// (<see cref="InMemoryJobStatus"/>), delayed jobs in a priority queue (<see cref="InMemoryScheduler"/>).
/// At-most-once: everything is lost when the process stops.
/// </summary>
internal sealed partial class InMemoryJobBackend : IJobBackend
{
    private static readonly TimeSpan MaxSweepInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Channel<JobDelivery>> _channels = new(StringComparer.Ordinal);
    private readonly InMemoryJobStatus _status;
    private readonly InMemoryScheduler _scheduler = new();
    private readonly RunningJobs _running;
    private readonly TimeProvider _time;
    private readonly JobsOptions _options;
    private readonly int _capacity;
    private readonly int _lowWater;
    private readonly Dictionary<string, RoomSignal> _room = new(StringComparer.Ordinal);

    public InMemoryJobBackend(RunningJobs running, TimeProvider time, IOptions<JobsOptions> options, IOptions<InMemoryJobsOptions> memoryOptions)
    {
        _running = running;
        _time = time;
        _options = options.Value;
        _status = new InMemoryJobStatus(time, _options);
        var memory = memoryOptions.Value;
        _capacity = memory.Capacity;
        _lowWater = memory.Capacity / 2;
        foreach (var queue in _options.GetEffectiveQueues())
        {
            var channelOptions = new BoundedChannelOptions(memory.Capacity)
            {
                FullMode = memory.FullMode,
                SingleReader = false,
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            };
            _channels[queue.Name] = Channel.CreateBounded<JobDelivery>(channelOptions, Dropped);
            _room[queue.Name] = new RoomSignal();
        }
    }

    public string Name => "in-memory";

    public string Description => "in-memory backend (this process only: jobs are lost when it stops)";

    /// <summary>Reserves a record for the job and names it: <c>{queue}.{slot: 8 hex digits}{96 random bits: 24 hex digits}</c>.</summary>
    public string CreateJobId(string queue) => _status.Reserve(queue);

    public async ValueTask<EnqueueResult> EnqueueAsync(JobEnvelope envelope, DateTimeOffset? runAt, bool waitForRoom, CancellationToken cancellationToken)
    {
        var channel = GetChannel(envelope.Queue);
        // The id was just made by CreateJobId: its slot names the reserved record (checked under the record's lock below).
        var record = _status.Reserved(envelope.Id);
        if (_status.ClaimIdempotencyKey(envelope, record, out var idempotencyKey) is { } existing)
        {
            return new(EnqueueStatus.Duplicate, existing);
        }

        lock (record)
        {
            if (!record.Is(envelope.Id, reserved: true))
            {
                throw new InvalidOperationException($"Job id '{envelope.Id}' was not created by this backend or was already enqueued.");
            }

            record.Start(envelope, runAt is null ? JobState.Queued : JobState.Scheduled, runAt);
        }

        if (runAt is { } due)
        {
            _scheduler.Schedule(envelope, record, due);
            return new(EnqueueStatus.Enqueued, envelope.Id);
        }

        var delivery = new JobDelivery(envelope) { BackendState = record };
        try
        {
            if (!channel.Writer.TryWrite(delivery))
            {
                if (!waitForRoom)
                {
                    _status.Forget(record, envelope.Id, idempotencyKey);
                    return new(EnqueueStatus.Full, null);
                }

                await WaitForRoomAsync(envelope.Queue, channel, delivery, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            _status.Forget(record, envelope.Id, idempotencyKey);
            throw;
        }

        return new(EnqueueStatus.Enqueued, envelope.Id);
    }

    public ValueTask<JobInfo?> GetAsync(string jobId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_status.Find(jobId) is { } record ? record.Snapshot(jobId) : null);

    public ValueTask<JobEnvelope?> GetEnvelopeAsync(string jobId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_status.Find(jobId)?.EnvelopeOf(jobId));

    public ValueTask<bool> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        if (_status.Find(jobId) is not { } record)
        {
            return ValueTask.FromResult(false);
        }

        lock (record)
        {
            if (!record.Is(jobId))
            {
                return ValueTask.FromResult(false);
            }

            switch (record.State)
            {
                case JobState.Queued or JobState.Scheduled or JobState.Failed:
                    // Left where it is (channel or schedule); skipped when it comes up.
                    _status.Finish(record, JobState.Cancelled);
                    record.ScheduledFor = null;
                    return ValueTask.FromResult(true);
                case JobState.Running:
                    _running.TryCancel(jobId);
                    return ValueTask.FromResult(true);
                default:
                    return ValueTask.FromResult(false);
            }
        }
    }

    public async ValueTask<bool> RequeueAsync(string jobId, CancellationToken cancellationToken)
    {
        if (_status.Find(jobId) is not { } record)
        {
            return false;
        }

        JobEnvelope envelope;
        lock (record)
        {
            if (!record.Is(jobId) || record.State != JobState.Dead)
            {
                return false;
            }

            envelope = record.Envelope! with { Attempt = 1, EnqueuedAt = _time.GetUtcNow() };
            record.Envelope = envelope;
            record.State = JobState.Queued;
            record.Attempt = 0;
            record.CompletedAt = null;
            record.ExpiresAt = null;
        }

        await GetChannel(envelope.Queue).Writer.WriteAsync(new JobDelivery(envelope) { BackendState = record }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public ValueTask<IReadOnlyList<JobDelivery>> ReceiveAsync(string queue, int max, CancellationToken cancellationToken)
    {
        var reader = GetChannel(queue).Reader;
        List<JobDelivery>? batch = null;
        while (max > 0 && reader.TryRead(out var delivery))
        {
            (batch ??= new(Math.Min(max, 32))).Add(delivery);
            max--;
        }

        if (batch is not null && _room.TryGetValue(queue, out var room) && room.HasWaiters && reader.Count <= _lowWater)
        {
            room.Release();
        }

        return ValueTask.FromResult<IReadOnlyList<JobDelivery>>(batch ?? (IReadOnlyList<JobDelivery>)[]);
    }

    public async ValueTask WaitForWorkAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        if (queues.Count == 1)
        {
            await GetChannel(queues[0]).Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        using var any = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waits = queues.Select(q => GetChannel(q).Reader.WaitToReadAsync(any.Token).AsTask()).ToArray();
        await Task.WhenAny(waits).ConfigureAwait(false);
        await any.CancelAsync().ConfigureAwait(false);
        await ((Task)Task.WhenAll(waits)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }

    public ValueTask<StartStatus> StartAsync(JobDelivery delivery, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_status.TryStart(delivery) ? StartStatus.Run : StartStatus.Skip);

    public ValueTask ReportProgressAsync(JobDelivery delivery, int percent, string? message, CancellationToken cancellationToken)
    {
        if (_status.RecordOf(delivery) is { } record)
        {
            lock (record)
            {
                if (ReferenceEquals(record.Envelope, delivery.Envelope))
                {
                    record.Progress = percent;
                    record.ProgressMessage = message;
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SucceedAsync(JobDelivery delivery, string? resultJson, CancellationToken cancellationToken)
    {
        _status.Succeed(delivery, resultJson);
        return ValueTask.CompletedTask;
    }

    public ValueTask RetryAsync(JobDelivery delivery, DateTimeOffset retryAt, string error, CancellationToken cancellationToken)
    {
        var next = delivery.Envelope with { Attempt = delivery.Envelope.Attempt + 1, EnqueuedAt = retryAt };
        if (_status.RecordOf(delivery) is { } record)
        {
            lock (record)
            {
                if (!ReferenceEquals(record.Envelope, delivery.Envelope))
                {
                    return ValueTask.CompletedTask;
                }

                record.State = JobState.Failed;
                record.Error = error;
                record.ScheduledFor = retryAt;
                record.Envelope = next;
            }

            _scheduler.Schedule(next, record, retryAt);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DeadLetterAsync(JobDelivery delivery, string error, CancellationToken cancellationToken)
    {
        _status.Update(delivery, record =>
        {
            record.Error = error;
            _status.Finish(record, JobState.Dead);
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask CancelledAsync(JobDelivery delivery, CancellationToken cancellationToken)
    {
        _status.Update(delivery, record => _status.Finish(record, JobState.Cancelled));
        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(JobDelivery delivery, CancellationToken cancellationToken)
    {
        _status.Update(delivery, record =>
        {
            if (record.State == JobState.Running)
            {
                record.State = JobState.Queued;
            }
        });
        if (!GetChannel(delivery.Envelope.Queue).Writer.TryWrite(delivery))
        {
            if (_status.RecordOf(delivery) is { } record)
            {
                _scheduler.Schedule(delivery.Envelope, record, _time.GetUtcNow());
            }
        }

        return ValueTask.CompletedTask;
    }

    public async Task RunAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        // Expiring is cheap (only due records are visited), so it runs a few times per retention period: a record
        // is reused at most a quarter of the period after its status expired.
        var quarter = _options.RetentionPeriod / 4;
        var sweepInterval = quarter < MaxSweepInterval ? quarter : MaxSweepInterval;
        var nextSweep = _time.GetUtcNow() + sweepInterval;
        var due = new List<(JobEnvelope Envelope, InMemoryJobRecord Record)>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            var next = _scheduler.TakeDue(now, due);

            foreach (var (envelope, record) in due)
            {
                lock (record)
                {
                    // Cancelled, or reused for a later job, meanwhile.
                    if (record.State is not (JobState.Scheduled or JobState.Failed or JobState.Queued) || !ReferenceEquals(record.Envelope, envelope))
                    {
                        continue;
                    }

                    record.State = JobState.Queued;
                    record.ScheduledFor = null;
                }

                await GetChannel(envelope.Queue).Writer.WriteAsync(new JobDelivery(envelope) { BackendState = record }, cancellationToken).ConfigureAwait(false);
            }

            due.Clear();
            if (now >= nextSweep)
            {
                _status.Sweep(now);
                nextSweep = now + sweepInterval;
            }

            var wait = nextSweep - now;
            if (next is { } nextDue && nextDue - now < wait)
            {
                wait = nextDue - now;
            }

            await _scheduler.WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    public long GetDepth(string queue) => _channels.TryGetValue(queue, out var channel) ? channel.Reader.Count : 0;

    public bool JobsLiveInProcess => true;

    public long CountWaitingJobs()
    {
        long waiting = 0;
        foreach (var channel in _channels.Values)
        {
            waiting += channel.Reader.Count;
        }

        waiting += _scheduler.CountWaiting();
        return waiting;
    }

    public ValueTask<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var full = _channels.Where(c => c.Value.Reader.Count >= _capacity).Select(c => c.Key).ToList();
        return ValueTask.FromResult(full.Count == 0
            ? HealthCheckResult.Healthy("In-memory job queues have room.")
            : HealthCheckResult.Degraded($"In-memory job queue(s) full: {string.Join(", ", full)}."));
    }

    /// <summary>Records in use (reserved or holding a job whose status has not been expired yet); for tests.</summary>
    internal int RecordsInUse => _status.InUse;

    private Channel<JobDelivery> GetChannel(string queue) =>
        _channels.TryGetValue(queue, out var channel)
            ? channel
            : throw new ArgumentException($"Queue '{queue}' is not configured.", nameof(queue));

    /// <summary>
    /// Waits until the queue has drained to half its capacity, then writes. A producer faster than the workers thus
    /// waits once per half a queue, not once per job (a bounded channel's own WriteAsync hands each freed place to
    /// a waiting writer, which costs a thread-pool hop and an asynchronous completion for every job).
    /// </summary>
    private async ValueTask WaitForRoomAsync(string queue, Channel<JobDelivery> channel, JobDelivery delivery, CancellationToken cancellationToken)
    {
        var room = _room[queue];
        while (true)
        {
            var wait = room.WaitAsync();

            // Tried again after announcing the wait: a read that came before the announcement may have made room.
            if (channel.Writer.TryWrite(delivery))
            {
                return;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (channel.Writer.TryWrite(delivery))
            {
                return;
            }
        }
    }

    private void Dropped(JobDelivery delivery)
    {
        _status.Update(delivery, record =>
        {
            record.Error = "The job was dropped because its queue was full.";
            _status.Finish(record, JobState.Dead);
        });
    }
}
