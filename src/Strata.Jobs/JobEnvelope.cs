using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Strata.Jobs;

/// <summary>Everything a worker needs to run one attempt of a job, as it travels through a backend.</summary>
internal sealed record JobEnvelope
{
    public required string Id { get; init; }

    public required string JobType { get; init; }

    public required string Queue { get; init; }

    public required string Payload { get; init; }

    /// <summary>The attempt this envelope runs, starting at 1.</summary>
    public int Attempt { get; init; } = 1;

    public int MaxAttempts { get; init; } = 1;

    public TimeSpan? Timeout { get; init; }

    public string? Owner { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When this attempt became runnable (enqueue, or the end of a delay), for the wait-time metric.</summary>
    public DateTimeOffset EnqueuedAt { get; init; }

    public string? IdempotencyKey { get; init; }

    /// <summary>W3C traceparent of the activity that enqueued the job.</summary>
    public string? TraceParent { get; init; }

    public string? TraceState { get; init; }
}

/// <summary>An envelope handed to a worker by a backend, with the backend's receipt.</summary>
internal sealed class JobDelivery(JobEnvelope envelope, string? receipt = null, int deliveryCount = 1)
{
    public JobEnvelope Envelope { get; } = envelope;

    /// <summary>What the backend needs to acknowledge the delivery (a stream entry id for Redis).</summary>
    public string? Receipt { get; } = receipt;

    /// <summary>How many times this attempt has been delivered; above 1 after a worker crashed while holding it.</summary>
    public int DeliveryCount { get; } = deliveryCount;

    /// <summary>What the backend keeps with the delivery (the in-memory backend: the job's status record, so no lookup by id).</summary>
    public object? BackendState { get; init; }

    /// <summary>The outcome of marking the job running when the backend did that for a whole batch at receipt (Redis); null otherwise.</summary>
    public StartStatus? PreparedStart { get; set; }

    /// <summary>Set by the worker when it gave the job's slot back before the end (its success was still being recorded).</summary>
    public bool SlotReleased { get; set; }
}

internal enum EnqueueStatus
{
    Enqueued,
    Duplicate,
    Full,
}

internal readonly record struct EnqueueResult(EnqueueStatus Status, string? JobId);

internal enum StartStatus
{
    /// <summary>Run the handler.</summary>
    Run,

    /// <summary>The job was cancelled (or is gone); the backend dropped the delivery.</summary>
    Skip,

    /// <summary>Delivered too many times without finishing: dead-letter it without running.</summary>
    TooManyDeliveries,
}

/// <summary>
/// The contract a backend implements. The worker, retry policy, metrics and traces are shared;
/// a backend moves envelopes and keeps status.
/// </summary>
internal interface IJobBackend
{
    /// <summary>A short name for logs and health ("in-memory", "redis").</summary>
    string Name { get; }

    /// <summary>The backend and where it keeps jobs, for the start-up line: <c>redis at host:port (Configuration), prefix strata:jobs:</c>.</summary>
    string Description { get; }

    /// <summary>Creates a job id for a job on <paramref name="queue"/>.</summary>
    string CreateJobId(string queue);

    /// <summary>Adds a job (queued when <paramref name="runAt"/> is null, else scheduled), honouring its idempotency key.</summary>
    ValueTask<EnqueueResult> EnqueueAsync(JobEnvelope envelope, DateTimeOffset? runAt, bool waitForRoom, CancellationToken cancellationToken);

    ValueTask<JobInfo?> GetAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Marks a waiting job cancelled, or asks the worker running it to stop. False when unknown or finished.</summary>
    ValueTask<bool> CancelAsync(string jobId, CancellationToken cancellationToken);

    ValueTask<bool> RequeueAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Takes up to <paramref name="max"/> runnable jobs of <paramref name="queue"/> without waiting.</summary>
    ValueTask<IReadOnlyList<JobDelivery>> ReceiveAsync(string queue, int max, CancellationToken cancellationToken);

    /// <summary>Returns when one of <paramref name="queues"/> may have work (or after a backend-chosen poll interval).</summary>
    ValueTask WaitForWorkAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken);

    /// <summary>Marks the delivery's job running (or says to skip it).</summary>
    ValueTask<StartStatus> StartAsync(JobDelivery delivery, CancellationToken cancellationToken);

    ValueTask ReportProgressAsync(JobDelivery delivery, int percent, string? message, CancellationToken cancellationToken);

    ValueTask SucceedAsync(JobDelivery delivery, string? resultJson, CancellationToken cancellationToken);

    /// <summary>Records a failed attempt and schedules the next one at <paramref name="retryAt"/>.</summary>
    ValueTask RetryAsync(JobDelivery delivery, DateTimeOffset retryAt, string error, CancellationToken cancellationToken);

    ValueTask DeadLetterAsync(JobDelivery delivery, string error, CancellationToken cancellationToken);

    ValueTask CancelledAsync(JobDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Gives back a delivery that did not run to an end (shutdown): it becomes runnable again, attempt unchanged.</summary>
    ValueTask ReleaseAsync(JobDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Background duties while workers run: promoting delayed jobs, expiring status, heartbeats.</summary>
    Task RunAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken);

    /// <summary>Jobs waiting in a queue (last known value; must not block).</summary>
    long GetDepth(string queue);

    /// <summary>
    /// True when jobs live only in this process (in memory): nothing else runs them, and whatever still waits when the
    /// process ends is lost. The workers then keep emptying the queues during the shutdown drain.
    /// </summary>
    bool JobsLiveInProcess { get; }

    /// <summary>Jobs waiting in this process, queued or scheduled (zero for a backend that keeps them elsewhere).</summary>
    long CountWaitingJobs();

    ValueTask<(HealthStatus Status, string Description)> CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Null unless the backend knows its store is out of reach (it then fails calls at once and logs the outage itself);
    /// else why. Lets the endpoints answer 503 without logging a stack per request.
    /// </summary>
    string? DescribeOutage() => null;
}
