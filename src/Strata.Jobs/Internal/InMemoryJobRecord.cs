using Strata.Json;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// One slot's record: the status of the job it holds (its own copy of the fields a snapshot needs, so a
/// succeeded job drops its envelope and payload), reused for a later job once that status expired.
/// Every member is read and written under the record's lock.
/// </summary>
internal sealed class InMemoryJobRecord(int slot)
{
    private string _queue = string.Empty;
    private ulong _tokenHigh;
    private uint _tokenLow;
    private string _jobType = string.Empty;
    private int _maxAttempts;
    private DateTimeOffset _createdAt;
    private string? _owner;
    private string? _idempotencyKey;
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
        _idempotencyKey = envelope.IdempotencyKey;
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
        _idempotencyKey = null;
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

    /// <summary>The queue of the job the record holds (empty while free).</summary>
    public string Queue => _queue;

    /// <summary>The idempotency key the job was enqueued with, or null.</summary>
    public string? IdempotencyKey => _idempotencyKey;

    /// <summary>The id of the job the record holds; null while free or only reserved.</summary>
    public string? CurrentId() => _reserved || _queue.Length == 0 ? null : JobIds.Format(_queue, Slot, _tokenHigh, _tokenLow);

    /// <summary>True when the job the record holds matches every condition of <paramref name="filter"/>.</summary>
    public bool Matches(JobFilter filter) =>
        (filter.State is not { } state || State == state) &&
        (filter.Queue is null || string.Equals(filter.Queue, _queue, StringComparison.Ordinal)) &&
        (filter.JobType is null || string.Equals(filter.JobType, _jobType, StringComparison.Ordinal)) &&
        (filter.Owner is null || string.Equals(filter.Owner, _owner, StringComparison.Ordinal)) &&
        (filter.CreatedAfter is not { } after || _createdAt >= after) &&
        (filter.CreatedBefore is not { } before || _createdAt < before) &&
        (filter.FinishedBefore is not { } finished || (IsFinished && CompletedAt < finished));

    /// <summary>True when the job is in a final state.</summary>
    public bool IsFinished => State is JobState.Succeeded or JobState.Dead or JobState.Cancelled;

    /// <summary>When the job was first enqueued.</summary>
    public DateTimeOffset CreatedAt => _createdAt;

    /// <summary>The envelope of the job <paramref name="jobId"/> names, while the record holds one (not after success).</summary>
    public JobEnvelope? EnvelopeOf(string jobId)
    {
        lock (this)
        {
            return Is(jobId) ? Envelope : null;
        }
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
