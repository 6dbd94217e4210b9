namespace Strata.Jobs.Backends;

/// <summary>
/// Everything a worker needs to run one attempt of a job, as it travels through a backend. A backend stores it as it
/// is given and hands it back unchanged, except for <see cref="Attempt"/> and <see cref="EnqueuedAt"/>, which it sets
/// when it schedules the next attempt (<see cref="IJobBackend.RetryAsync"/>).
/// </summary>
public sealed record JobEnvelope
{
    /// <summary>The job's id, made by <see cref="IJobBackend.CreateJobId"/>.</summary>
    public required string Id { get; init; }

    /// <summary>The job type's registered name.</summary>
    public required string JobType { get; init; }

    /// <summary>The queue the job waits in.</summary>
    public required string Queue { get; init; }

    /// <summary>The payload as JSON.</summary>
    public required string Payload { get; init; }

    /// <summary>The attempt this envelope runs, starting at 1.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Attempts allowed in all; after the last failed one the job is dead-lettered.</summary>
    public int MaxAttempts { get; init; } = 1;

    /// <summary>How long one attempt may run; null for no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Who enqueued the job (an API key id, a user), for owner-scoped reads; null when nobody was named.</summary>
    public string? Owner { get; init; }

    /// <summary>When the job was first enqueued.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When this attempt became runnable (enqueue, or the end of a delay), for the wait-time metric.</summary>
    public DateTimeOffset EnqueuedAt { get; init; }

    /// <summary>The caller's idempotency key; a second job with the same key on the same queue is refused while the first is remembered.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The name of a rate limit in <see cref="JobsOptions.RateLimits"/> this job counts against (fleet-wide); null for none.</summary>
    public string? LimitKey { get; init; }

    /// <summary>W3C <c>traceparent</c> of the activity that enqueued the job.</summary>
    public string? TraceParent { get; init; }

    /// <summary>W3C <c>tracestate</c> of the activity that enqueued the job.</summary>
    public string? TraceState { get; init; }
}
