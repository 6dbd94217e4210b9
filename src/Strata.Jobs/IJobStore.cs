namespace Strata.Jobs;

/// <summary>Reads job status. Finished jobs are kept for <see cref="JobsOptions.RetentionPeriod"/>, then forgotten.</summary>
public interface IJobStore
{
    /// <summary>Gets a job's status whoever owns it (for operators and back-office code).</summary>
    /// <returns>The status, or null when the job is unknown or expired.</returns>
    ValueTask<JobInfo?> GetAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Gets a job's status only if it belongs to <paramref name="owner"/> (ordinal comparison; null owns only jobs enqueued without an owner).</summary>
    /// <returns>The status, or null when the job is unknown, expired or another owner's.</returns>
    ValueTask<JobInfo?> GetForOwnerAsync(string jobId, string? owner, CancellationToken cancellationToken = default);
}
