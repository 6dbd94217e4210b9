namespace Strata.Jobs.Backends;

/// <summary>
/// The query and control part of the backend contract: finding jobs, bulk requeue and delete, pausing queues,
/// recurring-job schedules and the fleet-wide limits. Strata validates arguments before it calls these (queue names
/// are configured queues, limits are positive, filters are consistent); a backend need not check them again.
/// </summary>
/// <remarks>
/// Everything here holds across every host that shares the backend's store: a queue paused by one host is paused for
/// all, a schedule saved by one is read by all, and a slot or permit taken on one host counts on every other.
/// Times a backend keeps for limits and leases are on one clock for the whole fleet (the store's, where it has one).
/// </remarks>
public partial interface IJobBackend
{
    /// <summary>
    /// Finds jobs matching <paramref name="filter"/>, newest first (by <see cref="JobEnvelope.CreatedAt"/>, then by id,
    /// both descending), at most <paramref name="limit"/> of them, starting after <paramref name="cursor"/>.
    /// </summary>
    /// <remarks>
    /// Paging with the returned cursor visits every matching job that exists for the whole walk exactly once, even
    /// while jobs are added, change state or expire. Jobs are returned as <see cref="GetAsync"/> would return them,
    /// including <see cref="JobInfo.Owner"/>.
    /// </remarks>
    /// <param name="filter">Which jobs.</param>
    /// <param name="cursor">Null for the first page, else the <see cref="JobPage.NextCursor"/> of the page before.</param>
    /// <param name="limit">The most jobs on the page, 1 to 1,000.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page; its cursor is null when no job follows it.</returns>
    /// <exception cref="ArgumentException">The cursor was not made by this backend.</exception>
    ValueTask<JobPage> SearchAsync(JobFilter filter, string? cursor, int limit, CancellationToken cancellationToken);

    /// <summary>Counts the jobs the backend remembers, per queue and state; pairs with no job may be left out.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One count per queue and state that has jobs.</returns>
    ValueTask<IReadOnlyList<JobStateCount>> CountAsync(CancellationToken cancellationToken);

    /// <summary>When the job that has waited longest in <paramref name="queue"/> (state <see cref="JobState.Queued"/>) became runnable; null when none waits.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>That job's <see cref="JobEnvelope.EnqueuedAt"/>, or null.</returns>
    ValueTask<DateTimeOffset?> GetOldestQueuedAsync(string queue, CancellationToken cancellationToken);

    /// <summary>
    /// Requeues, as <see cref="RequeueAsync(string, CancellationToken)"/> does one by one, every dead job matching
    /// <paramref name="filter"/> (its <see cref="JobFilter.State"/> is null or <see cref="JobState.Dead"/>). Safe to
    /// repeat: a requeued job is no longer dead.
    /// </summary>
    /// <param name="filter">Which jobs.</param>
    /// <param name="cancellationToken">Cancels the call; jobs requeued before it stay requeued.</param>
    /// <returns>How many jobs were requeued.</returns>
    ValueTask<long> RequeueManyAsync(JobFilter filter, CancellationToken cancellationToken);

    /// <summary>
    /// The job as it was enqueued: its payload, trace context, keys and timeout, for the job detail an operator
    /// looks at. The <see cref="JobEnvelope.Attempt"/> and <see cref="JobEnvelope.EnqueuedAt"/> of the returned
    /// envelope carry no meaning (read them from <see cref="GetAsync"/>).
    /// </summary>
    /// <remarks>
    /// Null when the job is unknown, deleted or expired, and when the backend no longer keeps its payload: a backend
    /// may drop the payload of a succeeded job to save memory (the in-memory backend does); Redis and the database
    /// keep it for the job's retention. Not on a worker's path: one read by id.
    /// </remarks>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The envelope as enqueued, or null.</returns>
    ValueTask<JobEnvelope?> GetEnvelopeAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Forgets a finished job (succeeded, dead or cancelled) at once, as if its status had expired; its idempotency key is freed.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when the job is unknown or not finished.</returns>
    ValueTask<bool> DeleteAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Forgets every finished job matching <paramref name="filter"/>, as <see cref="DeleteAsync(string, CancellationToken)"/> does. Safe to repeat.</summary>
    /// <param name="filter">Which jobs; jobs that are not finished never match.</param>
    /// <param name="cancellationToken">Cancels the call; jobs deleted before it stay deleted.</param>
    /// <returns>How many jobs were deleted.</returns>
    ValueTask<long> DeleteManyAsync(JobFilter filter, CancellationToken cancellationToken);

    /// <summary>Pauses or resumes <paramref name="queue"/> for the whole fleet. Idempotent. The backend only stores the flag: Strata's workers read it and stop taking jobs from a paused queue.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="paused">True to pause, false to resume.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when every host can read the new flag.</returns>
    ValueTask SetQueuePausedAsync(string queue, bool paused, CancellationToken cancellationToken);

    /// <summary>The queues paused now (read by the workers about twice a second).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The paused queues' names.</returns>
    ValueTask<IReadOnlyList<string>> GetPausedQueuesAsync(CancellationToken cancellationToken);

    /// <summary>Every stored recurring-job schedule.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The schedules, in no particular order.</returns>
    ValueTask<IReadOnlyList<JobScheduleEntry>> GetSchedulesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes a schedule if its stored version is <paramref name="expectedVersion"/> (0: only if no schedule has that
    /// name); the stored entry then has version <paramref name="expectedVersion"/> + 1. Atomic across the fleet: of
    /// several writers that read the same version, exactly one succeeds.
    /// </summary>
    /// <param name="name">The schedule's name.</param>
    /// <param name="data">Strata's data, stored unchanged.</param>
    /// <param name="expectedVersion">The version read before, or 0 to create.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when written; false when the stored version differs.</returns>
    ValueTask<bool> SaveScheduleAsync(string name, string data, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Deletes a schedule.</summary>
    /// <param name="name">The schedule's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when no schedule has that name.</returns>
    ValueTask<bool> DeleteScheduleAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Takes, or keeps, one of at most <paramref name="limit"/> slots of <paramref name="scope"/> for
    /// <paramref name="holder"/> until <paramref name="lease"/> from now (fleet-wide concurrency caps). A holder that
    /// already holds a slot of the scope keeps it and its lease is extended (true). Slots whose lease ran out are free.
    /// </summary>
    /// <param name="scope">What is limited, for example <c>queue:reports</c>.</param>
    /// <param name="limit">The most holders at once, at least 1.</param>
    /// <param name="holder">Who takes the slot (a job id).</param>
    /// <param name="lease">How long the slot is held unless renewed or released.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when <paramref name="holder"/> holds a slot now; false when all are taken.</returns>
    ValueTask<bool> TryAcquireSlotAsync(string scope, int limit, string holder, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Frees the slot of <paramref name="scope"/> that <paramref name="holder"/> holds; nothing when it holds none.</summary>
    /// <param name="scope">What is limited.</param>
    /// <param name="holder">Who held the slot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when freed.</returns>
    ValueTask ReleaseSlotAsync(string scope, string holder, CancellationToken cancellationToken);

    /// <summary>
    /// Takes one permit of <paramref name="key"/> if fewer than <paramref name="permits"/> were taken in the last
    /// <paramref name="window"/> (a sliding window, across the fleet: no window of that length ever holds more).
    /// </summary>
    /// <param name="key">What is limited, for example <c>limit:partner-api</c>.</param>
    /// <param name="permits">The most permits in any window, at least 1.</param>
    /// <param name="window">The window's length.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see cref="TimeSpan.Zero"/> when the permit was taken; else how long until one may be free (positive).</returns>
    ValueTask<TimeSpan> TryTakePermitAsync(string key, int permits, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>
    /// Settles the delivery without running it (a limit held the job back): the job waits again, runnable at
    /// <paramref name="runAt"/>, with its attempt unchanged; it counts neither as an attempt nor as a redelivery.
    /// </summary>
    /// <param name="delivery">The delivery.</param>
    /// <param name="runAt">When the job becomes runnable again.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when recorded.</returns>
    ValueTask DeferAsync(JobDelivery delivery, DateTimeOffset runAt, CancellationToken cancellationToken);
}
