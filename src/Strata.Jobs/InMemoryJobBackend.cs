using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Strata.Jobs;

/// <summary>
/// The in-process backend: one bounded channel per queue, status in a dictionary, delayed jobs in a
/// priority queue. At-most-once: everything is lost when the process stops.
/// </summary>
internal sealed class InMemoryJobBackend : IJobBackend
{
    private static readonly TimeSpan MaxSweepInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Channel<JobDelivery>> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Record> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string JobId, DateTimeOffset ExpiresAt)> _idempotency = new(StringComparer.Ordinal);
    private readonly PriorityQueue<JobEnvelope, DateTimeOffset> _scheduled = new();
    private readonly AsyncSignal _scheduleChanged = new();
    private readonly RunningJobs _running;
    private readonly TimeProvider _time;
    private readonly JobsOptions _options;
    private readonly int _capacity;

    public InMemoryJobBackend(RunningJobs running, TimeProvider time, IOptions<JobsOptions> options, IOptions<InMemoryJobsOptions> memoryOptions)
    {
        _running = running;
        _time = time;
        _options = options.Value;
        var memory = memoryOptions.Value;
        _capacity = memory.Capacity;
        foreach (var queue in _options.EffectiveQueues())
        {
            var channelOptions = new BoundedChannelOptions(memory.Capacity)
            {
                FullMode = memory.FullMode,
                SingleReader = false,
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            };
            _channels[queue.Name] = Channel.CreateBounded<JobDelivery>(channelOptions, Dropped);
        }
    }

    public string Name => "in-memory";

    public string CreateJobId(string queue) => JobIds.Create(queue);

    public async ValueTask<EnqueueResult> EnqueueAsync(JobEnvelope envelope, DateTimeOffset? runAt, bool waitForRoom, CancellationToken cancellationToken)
    {
        var channel = GetChannel(envelope.Queue);
        string? idempotencyKey = null;
        if (envelope.IdempotencyKey is { } key)
        {
            idempotencyKey = envelope.Queue + "\n" + key;
            var now = _time.GetUtcNow();
            while (true)
            {
                if (_idempotency.TryGetValue(idempotencyKey, out var existing))
                {
                    if (existing.ExpiresAt > now)
                    {
                        return new(EnqueueStatus.Duplicate, existing.JobId);
                    }

                    _idempotency.TryRemove(new(idempotencyKey, existing));
                    continue;
                }

                if (_idempotency.TryAdd(idempotencyKey, (envelope.Id, now + _options.IdempotencyKeyLifetime)))
                {
                    break;
                }
            }
        }

        var record = new Record(envelope, runAt is null ? JobState.Queued : JobState.Scheduled, runAt);
        _records[envelope.Id] = record;
        if (runAt is { } due)
        {
            Schedule(envelope, due);
            return new(EnqueueStatus.Enqueued, envelope.Id);
        }

        var delivery = new JobDelivery(envelope) { BackendState = record };
        try
        {
            if (waitForRoom)
            {
                await channel.Writer.WriteAsync(delivery, cancellationToken).ConfigureAwait(false);
            }
            else if (!channel.Writer.TryWrite(delivery))
            {
                Forget(envelope.Id, idempotencyKey);
                return new(EnqueueStatus.Full, null);
            }
        }
        catch
        {
            Forget(envelope.Id, idempotencyKey);
            throw;
        }

        return new(EnqueueStatus.Enqueued, envelope.Id);
    }

    public ValueTask<JobInfo?> GetAsync(string jobId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TryGetLive(jobId, out var record) ? record.Snapshot() : null);

    public ValueTask<bool> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        if (!TryGetLive(jobId, out var record))
        {
            return ValueTask.FromResult(false);
        }

        lock (record)
        {
            switch (record.State)
            {
                case JobState.Queued or JobState.Scheduled or JobState.Failed:
                    // Left where it is (channel or schedule); skipped when it comes up.
                    Finish(record, JobState.Cancelled);
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
        if (!TryGetLive(jobId, out var record))
        {
            return false;
        }

        JobEnvelope envelope;
        lock (record)
        {
            if (record.State != JobState.Dead)
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
            (batch ??= []).Add(delivery);
            max--;
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

    public ValueTask<StartStatus> StartAsync(JobDelivery delivery, CancellationToken cancellationToken)
    {
        if (RecordOf(delivery) is not { } record)
        {
            return ValueTask.FromResult(StartStatus.Skip);
        }

        lock (record)
        {
            if (record.State is JobState.Cancelled or JobState.Succeeded or JobState.Dead)
            {
                return ValueTask.FromResult(StartStatus.Skip);
            }

            record.State = JobState.Running;
            record.Attempt = delivery.Envelope.Attempt;
            record.StartedAt = _time.GetUtcNow();
            record.ScheduledFor = null;
        }

        return ValueTask.FromResult(StartStatus.Run);
    }

    public ValueTask ReportProgressAsync(JobDelivery delivery, int percent, string? message, CancellationToken cancellationToken)
    {
        Update(delivery, record =>
        {
            record.Progress = percent;
            record.ProgressMessage = message;
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask SucceedAsync(JobDelivery delivery, string? resultJson, CancellationToken cancellationToken)
    {
        if (RecordOf(delivery) is { } record)
        {
            lock (record)
            {
                record.ResultJson = resultJson;
                record.Error = null;
                record.Envelope = null;
                Finish(record, JobState.Succeeded);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RetryAsync(JobDelivery delivery, DateTimeOffset retryAt, string error, CancellationToken cancellationToken)
    {
        var next = delivery.Envelope with { Attempt = delivery.Envelope.Attempt + 1, EnqueuedAt = retryAt };
        Update(delivery, record =>
        {
            record.State = JobState.Failed;
            record.Error = error;
            record.ScheduledFor = retryAt;
            record.Envelope = next;
        });
        Schedule(next, retryAt);
        return ValueTask.CompletedTask;
    }

    public ValueTask DeadLetterAsync(JobDelivery delivery, string error, CancellationToken cancellationToken)
    {
        Update(delivery, record =>
        {
            record.Error = error;
            record.Envelope = delivery.Envelope;
            Finish(record, JobState.Dead);
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask CancelledAsync(JobDelivery delivery, CancellationToken cancellationToken)
    {
        Update(delivery, record => Finish(record, JobState.Cancelled));
        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(JobDelivery delivery, CancellationToken cancellationToken)
    {
        Update(delivery, record =>
        {
            if (record.State == JobState.Running)
            {
                record.State = JobState.Queued;
            }
        });
        if (!GetChannel(delivery.Envelope.Queue).Writer.TryWrite(delivery))
        {
            Schedule(delivery.Envelope, _time.GetUtcNow());
        }

        return ValueTask.CompletedTask;
    }

    public async Task RunAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        var sweepInterval = _options.RetentionPeriod < MaxSweepInterval ? _options.RetentionPeriod : MaxSweepInterval;
        var nextSweep = _time.GetUtcNow() + sweepInterval;
        var due = new List<JobEnvelope>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            DateTimeOffset? next;
            lock (_scheduled)
            {
                while (_scheduled.TryPeek(out var envelope, out var at) && at <= now)
                {
                    _scheduled.Dequeue();
                    due.Add(envelope);
                }

                next = _scheduled.TryPeek(out _, out var nextAt) ? nextAt : null;
            }

            foreach (var envelope in due)
            {
                if (!_records.TryGetValue(envelope.Id, out var record))
                {
                    continue;
                }

                lock (record)
                {
                    if (record.State is not (JobState.Scheduled or JobState.Failed or JobState.Queued) || !ReferenceEquals(record.Envelope, envelope) && record.State != JobState.Queued)
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
                Sweep(now);
                nextSweep = now + sweepInterval;
            }

            var wait = nextSweep - now;
            if (next is { } nextDue && nextDue - now < wait)
            {
                wait = nextDue - now;
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var signalled = _scheduleChanged.WaitAsync(wake.Token);
            var elapsed = Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, _time, wake.Token);
            await Task.WhenAny(signalled, elapsed).ConfigureAwait(false);
            await wake.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(signalled, elapsed).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public long GetDepth(string queue) => _channels.TryGetValue(queue, out var channel) ? channel.Reader.Count : 0;

    public ValueTask<(HealthStatus Status, string Description)> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var full = _channels.Where(c => c.Value.Reader.Count >= _capacity).Select(c => c.Key).ToList();
        return ValueTask.FromResult(full.Count == 0
            ? (HealthStatus.Healthy, "In-memory job queues have room.")
            : (HealthStatus.Degraded, $"In-memory job queue(s) full: {string.Join(", ", full)}."));
    }

    private Channel<JobDelivery> GetChannel(string queue) =>
        _channels.TryGetValue(queue, out var channel)
            ? channel
            : throw new ArgumentException($"Queue '{queue}' is not configured.", nameof(queue));

    private void Schedule(JobEnvelope envelope, DateTimeOffset due)
    {
        lock (_scheduled)
        {
            _scheduled.Enqueue(envelope, due);
        }

        _scheduleChanged.Set();
    }

    private void Dropped(JobDelivery delivery)
    {
        Update(delivery, record =>
        {
            record.Error = "The job was dropped because its queue was full.";
            Finish(record, JobState.Dead);
        });
    }

    private Record? RecordOf(JobDelivery delivery) =>
        delivery.BackendState as Record ?? (_records.TryGetValue(delivery.Envelope.Id, out var record) ? record : null);

    private void Update(JobDelivery delivery, Action<Record> update)
    {
        if (RecordOf(delivery) is { } record)
        {
            lock (record)
            {
                update(record);
            }
        }
    }

    private void Finish(Record record, JobState state)
    {
        var now = _time.GetUtcNow();
        record.State = state;
        record.CompletedAt = now;
        record.ExpiresAt = now + _options.RetentionPeriod;
    }

    private void Forget(string jobId, string? idempotencyKey)
    {
        _records.TryRemove(jobId, out _);
        if (idempotencyKey is not null)
        {
            _idempotency.TryRemove(idempotencyKey, out _);
        }
    }

    private bool TryGetLive(string jobId, out Record record)
    {
        if (_records.TryGetValue(jobId, out record!))
        {
            lock (record)
            {
                if (record.ExpiresAt is not { } expires || expires > _time.GetUtcNow())
                {
                    return true;
                }
            }

            _records.TryRemove(new(jobId, record));
        }

        record = null!;
        return false;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (id, record) in _records)
        {
            bool expired;
            lock (record)
            {
                expired = record.ExpiresAt <= now;
            }

            if (expired)
            {
                _records.TryRemove(new(id, record));
            }
        }

        foreach (var entry in _idempotency)
        {
            if (entry.Value.ExpiresAt <= now)
            {
                _idempotency.TryRemove(entry);
            }
        }
    }

    /// <summary>
    /// A job's status. It keeps the fields its snapshot needs of its own, so a succeeded job drops its envelope
    /// (and payload): what stays in memory for the retention period is this record and the id.
    /// </summary>
    private sealed class Record(JobEnvelope envelope, JobState state, DateTimeOffset? scheduledFor)
    {
        private readonly string _id = envelope.Id;
        private readonly string _jobType = envelope.JobType;
        private readonly string _queue = envelope.Queue;
        private readonly int _maxAttempts = envelope.MaxAttempts;
        private readonly DateTimeOffset _createdAt = envelope.CreatedAt;
        private readonly string? _owner = envelope.Owner;

        /// <summary>The envelope of the current or next attempt; null once the job succeeded.</summary>
        public JobEnvelope? Envelope { get; set; } = envelope;

        public JobState State { get; set; } = state;

        public int Attempt { get; set; }

        public DateTimeOffset? ScheduledFor { get; set; } = scheduledFor;

        public DateTimeOffset? StartedAt { get; set; }

        public DateTimeOffset? CompletedAt { get; set; }

        public DateTimeOffset? ExpiresAt { get; set; }

        public int? Progress { get; set; }

        public string? ProgressMessage { get; set; }

        public string? ResultJson { get; set; }

        public string? Error { get; set; }

        public JobInfo Snapshot()
        {
            lock (this)
            {
                return new JobInfo
                {
                    Id = _id,
                    JobType = _jobType,
                    Queue = _queue,
                    State = State,
                    Attempt = Attempt,
                    MaxAttempts = _maxAttempts,
                    CreatedAt = _createdAt,
                    ScheduledFor = ScheduledFor,
                    StartedAt = StartedAt,
                    CompletedAt = CompletedAt,
                    Progress = Progress,
                    ProgressMessage = ProgressMessage,
                    Result = ResultJson is null ? null : JsonText.ToElement(ResultJson),
                    Error = Error,
                    Owner = _owner,
                };
            }
        }
    }
}
