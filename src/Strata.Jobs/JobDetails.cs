namespace Strata.Jobs;

/// <summary>
/// Everything an operator may look at for one job: its status and what it was enqueued with (payload, trace
/// context, keys). Read with <see cref="IJobAdmin.GetDetailsAsync"/>; not part of the status an owner sees.
/// </summary>
public sealed class JobDetails
{
    /// <summary>The job's status, as <see cref="IJobStore.GetAsync"/> returns it.</summary>
    public required JobInfo Job { get; init; }

    /// <summary>
    /// The job's payload as enqueued (JSON text); null when the backend no longer keeps it (the in-memory backend
    /// drops the payload of a succeeded job). It is the caller's data: render it as text, never as markup.
    /// </summary>
    public string? Payload { get; init; }

    /// <summary>The W3C <c>traceparent</c> of the activity that enqueued the job, or null when none was current.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The trace id (32 hex digits) taken from <see cref="TraceParent"/>, to look the enqueue and every attempt up in a trace store; null without one.</summary>
    public string? TraceId => TraceParent is { Length: >= 35 } parent && parent[2] == '-' && parent[35] == '-' ? parent[3..35] : null;

    /// <summary>The idempotency key the job was enqueued with, or null.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The named fleet-wide rate limit the job counts against (<see cref="JobOptions.LimitKey"/>), or null.</summary>
    public string? LimitKey { get; init; }

    /// <summary>The time limit of one attempt, or null for the queue's default.</summary>
    public TimeSpan? Timeout { get; init; }
}
