using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Strata.Json;
using Strata.Jobs.Backends;
using Strata.Threading;

namespace Strata.Jobs.Internal;

/// <summary>
/// The in-process backend: one bounded channel per queue, status in a table of reusable records, delayed jobs in
/// a priority queue. At-most-once: everything is lost when the process stops.
/// </summary>
/// <remarks>
/// A job id carries the number of its record's slot (<see cref="RecordTable"/>), so reading, starting and finishing
/// a job index an array rather than hash a string, and a record whose status has expired is reused for a later
/// job: at a steady rate the status of a job allocates nothing and leaves nothing for the GC to promote.
/// Finished records are listed in the order they finish (their expiry order), so expiring them visits only those
/// that are due, never the whole table.
/// </remarks>
internal sealed class InMemoryJobBackend : IJobBackend
{
    private static readonly TimeSpan MaxSweepInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, Channel<JobDelivery>> _channels = new(StringComparer.Ordinal);
    private readonly RecordTable _records = new();
    private readonly ExpiryList _expiry = new();
    private readonly ConcurrentDictionary<string, (string JobId, DateTimeOffset ExpiresAt)> _idempotency = new(StringComparer.Ordinal);
    private readonly PriorityQueue<(JobEnvelope Envelope, Record Record), DateTimeOffset> _scheduled = new();
    private readonly AsyncSignal _scheduleChanged = new();
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
    public string CreateJobId(string queue)
    {
        var record = _records.Rent();
        var (high, low) = JobIds.RandomToken();
        lock (record)
        {
            record.Reserve(queue, high, low);
        }

        return JobIds.Format(queue, record.Slot, high, low);
    }

    public async ValueTask<EnqueueResult> EnqueueAsync(JobEnvelope envelope, DateTimeOffset? runAt, bool waitForRoom, CancellationToken cancellationToken)
    {
        var channel = GetChannel(envelope.Queue);
        // The id was just made by CreateJobId: its slot names the reserved record (checked under the record's lock below).
        var record = (JobIds.TryParseSlot(envelope.Id, out var slot) ? _records.Get(slot) : null)
            ?? throw new InvalidOperationException($"Job id '{envelope.Id}' was not created by this backend.");
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
                        Forget(record, envelope.Id, idempotencyKey: null);
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
            Schedule(envelope, record, due);
            return new(EnqueueStatus.Enqueued, envelope.Id);
        }

        var delivery = new JobDelivery(envelope) { BackendState = record };
        try
        {
            if (!channel.Writer.TryWrite(delivery))
            {
                if (!waitForRoom)
                {
                    Forget(record, envelope.Id, idempotencyKey);
                    return new(EnqueueStatus.Full, null);
                }

                await WaitForRoomAsync(envelope.Queue, channel, delivery, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            Forget(record, envelope.Id, idempotencyKey);
            throw;
        }

        return new(EnqueueStatus.Enqueued, envelope.Id);
    }

    public ValueTask<JobInfo?> GetAsync(string jobId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Find(jobId) is { } record ? record.Snapshot(jobId) : null);

    public ValueTask<bool> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        if (Find(jobId) is not { } record)
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
        if (Find(jobId) is not { } record)
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

    public ValueTask<StartStatus> StartAsync(JobDelivery delivery, CancellationToken cancellationToken)
    {
        if (RecordOf(delivery) is not { } record)
        {
            return ValueTask.FromResult(StartStatus.Skip);
        }

        var now = _time.GetUtcNow();
        lock (record)
        {
            // A record reused for a later job no longer holds this delivery's envelope.
            if (!ReferenceEquals(record.Envelope, delivery.Envelope) || record.State is JobState.Cancelled or JobState.Succeeded or JobState.Dead)
            {
                return ValueTask.FromResult(StartStatus.Skip);
            }

            record.State = JobState.Running;
            record.Attempt = delivery.Envelope.Attempt;
            record.StartedAt = now;
            record.ScheduledFor = null;
        }

        return ValueTask.FromResult(StartStatus.Run);
    }

    public ValueTask ReportProgressAsync(JobDelivery delivery, int percent, string? message, CancellationToken cancellationToken)
    {
        if (RecordOf(delivery) is { } record)
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
        if (RecordOf(delivery) is { } record)
        {
            var now = _time.GetUtcNow();
            lock (record)
            {
                if (ReferenceEquals(record.Envelope, delivery.Envelope))
                {
                    record.ResultJson = resultJson;
                    record.Error = null;
                    record.Envelope = null;
                    Finish(record, JobState.Succeeded, now);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RetryAsync(JobDelivery delivery, DateTimeOffset retryAt, string error, CancellationToken cancellationToken)
    {
        var next = delivery.Envelope with { Attempt = delivery.Envelope.Attempt + 1, EnqueuedAt = retryAt };
        if (RecordOf(delivery) is { } record)
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

            Schedule(next, record, retryAt);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DeadLetterAsync(JobDelivery delivery, string error, CancellationToken cancellationToken)
    {
        Update(delivery, record =>
        {
            record.Error = error;
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
            if (RecordOf(delivery) is { } record)
            {
                Schedule(delivery.Envelope, record, _time.GetUtcNow());
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
        var due = new List<(JobEnvelope Envelope, Record Record)>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            DateTimeOffset? next;
            lock (_scheduled)
            {
                while (_scheduled.TryPeek(out var entry, out var at) && at <= now)
                {
                    _scheduled.Dequeue();
                    due.Add(entry);
                }

                next = _scheduled.TryPeek(out _, out var nextAt) ? nextAt : null;
            }

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

    public bool JobsLiveInProcess => true;

    public long CountWaitingJobs()
    {
        long waiting = 0;
        foreach (var channel in _channels.Values)
        {
            waiting += channel.Reader.Count;
        }

        lock (_scheduled)
        {
            foreach (var ((envelope, record), _) in _scheduled.UnorderedItems)
            {
                // Cancelled, or reused for a later job, since it was scheduled: not waiting.
                if (record.State is JobState.Scheduled or JobState.Failed or JobState.Queued && ReferenceEquals(record.Envelope, envelope))
                {
                    waiting++;
                }
            }
        }

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
    internal int RecordsInUse => _records.InUse;

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

    private void Schedule(JobEnvelope envelope, Record record, DateTimeOffset due)
    {
        lock (_scheduled)
        {
            _scheduled.Enqueue((envelope, record), due);
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

    private Record? RecordOf(JobDelivery delivery) => delivery.BackendState as Record ?? Find(delivery.Envelope.Id);

    /// <summary>Applies <paramref name="update"/> to the delivery's record, unless the record moved on to another attempt or job.</summary>
    private void Update(JobDelivery delivery, Action<Record> update)
    {
        if (RecordOf(delivery) is { } record)
        {
            lock (record)
            {
                if (ReferenceEquals(record.Envelope, delivery.Envelope))
                {
                    update(record);
                }
            }
        }
    }

    private void Finish(Record record, JobState state) => Finish(record, state, _time.GetUtcNow());

    /// <summary>Marks the record finished (caller holds its lock) and lists it for expiry.</summary>
    private void Finish(Record record, JobState state, DateTimeOffset now)
    {
        var expiresAt = now + _options.RetentionPeriod;
        record.State = state;
        record.CompletedAt = now;
        record.ExpiresAt = expiresAt;
        _expiry.Add(record, record.Generation, expiresAt);
    }

    /// <summary>Gives back the record of a job that was not enqueued after all.</summary>
    private void Forget(Record record, string jobId, string? idempotencyKey)
    {
        bool release;
        lock (record)
        {
            release = record.Is(jobId, reserved: true) || record.Is(jobId);
            if (release)
            {
                record.Clear();
            }
        }

        if (release)
        {
            _records.Return(record);
        }

        if (idempotencyKey is not null)
        {
            _idempotency.TryRemove(idempotencyKey, out _);
        }
    }

    /// <summary>The record named by <paramref name="jobId"/> while its job's status is live (not expired), else null.</summary>
    private Record? Find(string jobId, bool reserved = false)
    {
        if (!JobIds.TryParseSlot(jobId, out var slot) || _records.Get(slot) is not { } record)
        {
            return null;
        }

        lock (record)
        {
            if (!record.Is(jobId, reserved))
            {
                return null;
            }

            return record.ExpiresAt is not { } expires || expires > _time.GetUtcNow() ? record : null;
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        var due = new List<ExpiryList.Entry>();
        while (_expiry.TakeDue(now, due, max: 4096))
        {
            foreach (var entry in due)
            {
                var record = entry.Record;
                bool release;
                lock (record)
                {
                    // Skipped when the record was reused, or its job requeued (it is listed again when it finishes again).
                    release = record.Generation == entry.Generation && record.ExpiresAt is { } expires && expires <= now;
                    if (release)
                    {
                        record.Clear();
                    }
                }

                if (release)
                {
                    _records.Return(record);
                }
            }

            due.Clear();
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
    /// The records, in segments of 4,096 slots that are allocated as needed and never shrink (the table holds as
    /// many records as were ever live at once); free slots are reused most recently freed first.
    /// </summary>
    private sealed class RecordTable
    {
        private const int SegmentShift = 12;
        private const int SegmentSize = 1 << SegmentShift;
        private const int SegmentMask = SegmentSize - 1;

        private readonly object _gate = new();
        private Record[]?[] _segments = new Record[]?[16];
        private readonly Stack<int> _free = new(1024);
        private int _count;

        public int InUse
        {
            get
            {
                lock (_gate)
                {
                    return _count - _free.Count;
                }
            }
        }

        public Record Rent()
        {
            lock (_gate)
            {
                if (_free.TryPop(out var free))
                {
                    return Get(free)!;
                }

                var slot = _count;
                if (slot == int.MaxValue)
                {
                    throw new InvalidOperationException("The in-memory job store is full; shorten JobsOptions.RetentionPeriod.");
                }

                var segment = slot >> SegmentShift;
                var segments = _segments;
                if (segment == segments.Length)
                {
                    Array.Resize(ref segments, segments.Length * 2);
                    Volatile.Write(ref _segments, segments);
                }

                var records = segments[segment] ??= new Record[SegmentSize];
                var record = new Record(slot);
                Volatile.Write(ref records[slot & SegmentMask], record);
                _count = slot + 1;
                return record;
            }
        }

        public void Return(Record record)
        {
            lock (_gate)
            {
                _free.Push(record.Slot);
            }
        }

        public Record? Get(int slot)
        {
            var segments = Volatile.Read(ref _segments);
            var segment = slot >> SegmentShift;
            return segment < segments.Length && Volatile.Read(ref segments[segment]) is { } records
                ? Volatile.Read(ref records[slot & SegmentMask])
                : null;
        }
    }

    /// <summary>Wakes the producers waiting for room in a queue, all at once.</summary>
    private sealed class RoomSignal
    {
        private readonly object _gate = new();
        private TaskCompletionSource? _waiting;

        public bool HasWaiters => Volatile.Read(ref _waiting) is not null;

        public Task WaitAsync()
        {
            lock (_gate)
            {
                return (_waiting ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }

        public void Release()
        {
            TaskCompletionSource? waiting;
            lock (_gate)
            {
                waiting = _waiting;
                _waiting = null;
            }

            waiting?.TrySetResult();
        }
    }

    /// <summary>Finished records in the order they finished, which is the order they expire (the retention period is one for all).</summary>
    private sealed class ExpiryList
    {
        private readonly Queue<Entry> _entries = new(1024);

        public void Add(Record record, int generation, DateTimeOffset expiresAt)
        {
            lock (_entries)
            {
                _entries.Enqueue(new Entry(record, generation, expiresAt.UtcTicks));
            }
        }

        /// <summary>Moves up to <paramref name="max"/> entries due at <paramref name="now"/> into <paramref name="due"/>; false when none was due.</summary>
        public bool TakeDue(DateTimeOffset now, List<Entry> due, int max)
        {
            var ticks = now.UtcTicks;
            lock (_entries)
            {
                while (due.Count < max && _entries.TryPeek(out var next) && next.ExpiresAt <= ticks)
                {
                    due.Add(_entries.Dequeue());
                }
            }

            return due.Count > 0;
        }

        public readonly record struct Entry(Record Record, int Generation, long ExpiresAt);
    }

    /// <summary>
    /// One slot's record: the status of the job it holds (its own copy of the fields a snapshot needs, so a
    /// succeeded job drops its envelope and payload), reused for a later job once that status expired.
    /// Every member is read and written under the record's lock.
    /// </summary>
    private sealed class Record(int slot)
    {
        private string _queue = string.Empty;
        private ulong _tokenHigh;
        private uint _tokenLow;
        private string _jobType = string.Empty;
        private int _maxAttempts;
        private DateTimeOffset _createdAt;
        private string? _owner;
        private bool _reserved;

        public int Slot { get; } = slot;

        /// <summary>Changes whenever the record is cleared for reuse.</summary>
        public int Generation { get; private set; }

        /// <summary>The envelope of the current or next attempt; null once the job succeeded (and while the record is free).</summary>
        public JobEnvelope? Envelope { get; set; }

        public JobState State { get; set; }

        public int Attempt { get; set; }

        public DateTimeOffset? ScheduledFor { get; set; }

        public DateTimeOffset? StartedAt { get; set; }

        public DateTimeOffset? CompletedAt { get; set; }

        public DateTimeOffset? ExpiresAt { get; set; }

        public int? Progress { get; set; }

        public string? ProgressMessage { get; set; }

        public string? ResultJson { get; set; }

        public string? Error { get; set; }

        /// <summary>Takes the record for a job id about to be handed out (the job is not enqueued yet).</summary>
        public void Reserve(string queue, ulong tokenHigh, uint tokenLow)
        {
            _queue = queue;
            _tokenHigh = tokenHigh;
            _tokenLow = tokenLow;
            _reserved = true;
        }

        /// <summary>True when <paramref name="jobId"/> names this record's current job (or, with <paramref name="reserved"/>, its reservation).</summary>
        public bool Is(string jobId, bool reserved = false) =>
            _reserved == reserved && _queue.Length != 0 && JobIds.Matches(jobId, _queue, _tokenHigh, _tokenLow);

        public void Start(JobEnvelope envelope, JobState state, DateTimeOffset? scheduledFor)
        {
            _reserved = false;
            _jobType = envelope.JobType;
            _maxAttempts = envelope.MaxAttempts;
            _createdAt = envelope.CreatedAt;
            _owner = envelope.Owner;
            Envelope = envelope;
            State = state;
            ScheduledFor = scheduledFor;
        }

        /// <summary>Forgets the job, so its id no longer finds the record and the record can be reused.</summary>
        public void Clear()
        {
            Generation++;
            _queue = string.Empty;
            _reserved = false;
            _jobType = string.Empty;
            _owner = null;
            Envelope = null;
            State = default;
            Attempt = 0;
            ScheduledFor = null;
            StartedAt = null;
            CompletedAt = null;
            ExpiresAt = null;
            Progress = null;
            ProgressMessage = null;
            ResultJson = null;
            Error = null;
        }

        public JobInfo? Snapshot(string jobId)
        {
            lock (this)
            {
                if (!Is(jobId))
                {
                    return null;
                }

                return new JobInfo
                {
                    Id = jobId,
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
