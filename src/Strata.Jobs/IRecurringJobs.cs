namespace Strata.Jobs;

/// <summary>
/// Adds, changes, pauses, resumes, removes and triggers recurring jobs at run time. Schedules live in the backend, so
/// a change made on one host holds on all; each occurrence is enqueued exactly once across the fleet. Schedules
/// registered in code with <c>AddRecurring</c> are written at start (their pause flag and run history are kept).
/// </summary>
public interface IRecurringJobs
{
    /// <summary>Creates or changes the schedule <paramref name="name"/>: <paramref name="job"/> is enqueued at every occurrence of <paramref name="cron"/>.</summary>
    /// <typeparam name="TJob">A registered job type.</typeparam>
    /// <param name="name">The schedule's name: letters, digits, '-', '_' and '.'.</param>
    /// <param name="cron">A cron expression: five fields, or six with seconds first (Cronos syntax).</param>
    /// <param name="job">The payload every occurrence gets.</param>
    /// <param name="options">Time zone, queue, misfire policy, overlap and attempts; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when stored.</returns>
    /// <exception cref="ArgumentException">The name or cron expression is invalid, or the queue is unknown.</exception>
    /// <exception cref="InvalidOperationException">The job type is not registered.</exception>
    ValueTask AddOrUpdateAsync<TJob>(string name, string cron, TJob job, RecurringJobOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Stops enqueuing occurrences until resumed.</summary>
    /// <returns>False when no schedule has that name.</returns>
    ValueTask<bool> PauseAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Resumes a paused schedule from its next occurrence after now (occurrences missed while paused are not fired).</summary>
    /// <returns>False when no schedule has that name.</returns>
    ValueTask<bool> ResumeAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Removes a schedule; jobs it already enqueued are not touched.</summary>
    /// <returns>False when no schedule has that name.</returns>
    ValueTask<bool> RemoveAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Enqueues the schedule's job now, once, outside its occurrences (also when paused).</summary>
    /// <returns>The new job's id, or null when no schedule has that name.</returns>
    ValueTask<string?> TriggerAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Reads one schedule, with its next and last run.</summary>
    /// <returns>The schedule, or null.</returns>
    ValueTask<RecurringJobInfo?> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Reads every schedule, ordered by name.</summary>
    /// <returns>The schedules.</returns>
    ValueTask<IReadOnlyList<RecurringJobInfo>> ListAsync(CancellationToken cancellationToken = default);
}
