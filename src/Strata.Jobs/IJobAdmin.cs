namespace Strata.Jobs;

/// <summary>
/// Operates the job system: finds jobs, requeues and deletes them in bulk, pauses queues. Registered by
/// <c>AddStrataJobs()</c>; every operation holds across the fleet sharing the backend. Mounted over HTTP by
/// <c>MapJobAdminEndpoints</c>.
/// </summary>
public interface IJobAdmin
{
    /// <summary>Finds jobs matching <paramref name="filter"/>, newest first, one page at a time.</summary>
    /// <param name="filter">Which jobs; null for all.</param>
    /// <param name="cursor">Null for the first page, else the <see cref="JobPage.NextCursor"/> of the page before.</param>
    /// <param name="limit">The most jobs on the page, 1 to 1,000.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentException">The filter names an unknown queue, the limit is out of range or the cursor is not one a search returned.</exception>
    ValueTask<JobPage> SearchAsync(JobFilter? filter = null, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default);

    /// <summary>Reads one job's status together with what it was enqueued with (payload, trace context, keys).</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The details, or null when the job is unknown, deleted or expired.</returns>
    ValueTask<JobDetails?> GetDetailsAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Counts jobs per queue and state.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One count per configured queue and state, zeros included.</returns>
    ValueTask<IReadOnlyList<JobStateCount>> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>Requeues every dead job matching <paramref name="filter"/> with a fresh set of attempts. Safe to repeat.</summary>
    /// <param name="filter">Which jobs; its state, when set, must be <see cref="JobState.Dead"/>.</param>
    /// <param name="cancellationToken">Cancels the call; jobs requeued before it stay requeued.</param>
    /// <returns>How many jobs were requeued.</returns>
    /// <exception cref="ArgumentException">The filter names another state or an unknown queue.</exception>
    ValueTask<long> RequeueManyAsync(JobFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Deletes a finished job (succeeded, dead or cancelled) now instead of at the end of its retention.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when the job is unknown or not finished.</returns>
    ValueTask<bool> DeleteAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every finished job matching <paramref name="filter"/>; for example all succeeded jobs that finished before a date. Safe to repeat.</summary>
    /// <param name="filter">Which jobs; its state, when set, must be a finished state.</param>
    /// <param name="cancellationToken">Cancels the call; jobs deleted before it stay deleted.</param>
    /// <returns>How many jobs were deleted.</returns>
    /// <exception cref="ArgumentException">The filter names an unfinished state or an unknown queue.</exception>
    ValueTask<long> DeleteManyAsync(JobFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Pauses a queue on every host: workers take no new job from it within a second; running jobs finish; enqueueing still works.</summary>
    /// <param name="queue">A configured queue.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the pause is stored.</returns>
    /// <exception cref="ArgumentException">The queue is not configured.</exception>
    ValueTask PauseQueueAsync(string queue, CancellationToken cancellationToken = default);

    /// <summary>Resumes a paused queue on every host.</summary>
    /// <param name="queue">A configured queue.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when stored.</returns>
    /// <exception cref="ArgumentException">The queue is not configured.</exception>
    ValueTask ResumeQueueAsync(string queue, CancellationToken cancellationToken = default);

    /// <summary>Every configured queue with its pause flag, jobs per state and the oldest waiting job's enqueue time.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One entry per configured queue.</returns>
    ValueTask<IReadOnlyList<JobQueueStatus>> GetQueuesAsync(CancellationToken cancellationToken = default);
}
