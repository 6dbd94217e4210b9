namespace Strata.Jobs;

/// <summary>Per-job settings given at enqueue. Every property is optional.</summary>
public sealed class JobOptions
{
    /// <summary>The queue to run on.</summary>
    /// <value>Defaults to <see cref="JobsOptions.DefaultQueue"/>.</value>
    public string? Queue { get; set; }

    /// <summary>Run at or after this time instead of at once.</summary>
    public DateTimeOffset? RunAt { get; set; }

    /// <summary>Run after this delay instead of at once (ignored when <see cref="RunAt"/> is set).</summary>
    public TimeSpan? Delay { get; set; }

    /// <summary>
    /// A key that makes enqueue idempotent: while a job with the same key on the same queue is known
    /// (for <see cref="JobsOptions.IdempotencyKeyLifetime"/>), enqueue returns that job's id and adds nothing.
    /// </summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>How long one attempt may run before its token fires and the attempt counts as failed.</summary>
    /// <value>Defaults to <see cref="JobsOptions.DefaultTimeout"/>.</value>
    public TimeSpan? Timeout { get; set; }

    /// <summary>The most attempts the job gets.</summary>
    /// <value>Defaults to <see cref="JobsOptions.MaxAttempts"/>.</value>
    public int? MaxAttempts { get; set; }

    /// <summary>An owner tag (for example the caller's API key id); <see cref="IJobStore.GetForOwnerAsync(string, string?, CancellationToken)"/> shows a job only to its owner.</summary>
    public string? Owner { get; set; }

    /// <summary>
    /// The name of a rate limit in <see cref="JobsOptions.RateLimits"/> the job counts against, across every worker
    /// that shares the backend (for example <c>"partner-api"</c>). A job held back by the limit waits; it spends no attempt.
    /// </summary>
    public string? LimitKey { get; set; }
}
