using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Strata.Jobs.Backends;

/// <summary>
/// Where jobs live: the contract a job backend implements. The worker, retry policy, timeouts, metrics and traces are
/// Strata's; a backend stores envelopes, hands them out, and keeps each job's status. Choose one with
/// <c>services.AddStrataJobs().UseBackend&lt;TBackend&gt;()</c>; <c>Strata.Jobs.Testing</c> has the contract tests a
/// backend must pass.
/// </summary>
/// <remarks>
/// <para>The rules a backend keeps (see "Writing a backend" in the Strata.Jobs README):</para>
/// <list type="bullet">
/// <item>At least once: a job handed out by <see cref="ReceiveAsync"/> stays the backend's until one of
/// <see cref="SucceedAsync"/>, <see cref="RetryAsync"/>, <see cref="DeadLetterAsync"/>, <see cref="CancelledAsync"/> or
/// <see cref="ReleaseAsync"/> settles it. A durable backend hands it out again, with a higher
/// <see cref="JobDelivery.DeliveryCount"/>, when the worker holding it stops without settling it.</item>
/// <item>Each job is handed to one worker at a time while its delivery is live.</item>
/// <item>An idempotency key is unique per queue while the job that holds it is remembered.</item>
/// <item>Status reads (<see cref="GetAsync"/>) see every settle call that has returned.</item>
/// </list>
/// </remarks>
public partial interface IJobBackend
{
    /// <summary>A short name for logs, metrics and health: <c>in-memory</c>, <c>redis</c>.</summary>
    string Name { get; }

    /// <summary>The backend and where it keeps jobs, for the line logged at start: <c>redis at host:port (Configuration), prefix strata:jobs:</c>.</summary>
    string Description { get; }

    /// <summary>
    /// True when jobs live only in this process (in memory): nothing else runs them, and whatever still waits when the
    /// process ends is lost. The workers then keep emptying the queues during the shutdown drain.
    /// </summary>
    bool JobsLiveInProcess { get; }

    /// <summary>Makes an id for a new job on <paramref name="queue"/>; <see cref="JobIds.Create"/> makes a suitable one.</summary>
    /// <param name="queue">The queue.</param>
    /// <returns>A new id, unique across the backend.</returns>
    string CreateJobId(string queue);

    /// <summary>Stores a job: runnable now when <paramref name="runAt"/> is null, else at that time; honours its idempotency key.</summary>
    /// <param name="envelope">The job's first attempt.</param>
    /// <param name="runAt">When to run it; null for now.</param>
    /// <param name="waitForRoom">When the queue is full: true to wait for room, false to answer <see cref="EnqueueStatus.Full"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What was done.</returns>
    ValueTask<EnqueueResult> EnqueueAsync(JobEnvelope envelope, DateTimeOffset? runAt, bool waitForRoom, CancellationToken cancellationToken);

    /// <summary>Reads a job's status; null when unknown or expired.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status, or null.</returns>
    ValueTask<JobInfo?> GetAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Marks a waiting job cancelled, or asks the worker running it to stop (<see cref="IRunningJobs"/> on whichever host runs it).</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when the job is unknown or already finished.</returns>
    ValueTask<bool> CancelAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Makes a dead-lettered job runnable again, as a new first attempt.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>False when the job is unknown or not in a state that can be requeued.</returns>
    ValueTask<bool> RequeueAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Takes up to <paramref name="max"/> runnable jobs of <paramref name="queue"/> without waiting (an empty list when none).</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="max">At most this many.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The deliveries, each now held by this worker.</returns>
    ValueTask<IReadOnlyList<JobDelivery>> ReceiveAsync(string queue, int max, CancellationToken cancellationToken);

    /// <summary>Returns when one of <paramref name="queues"/> may have work, or after a backend-chosen poll interval.</summary>
    /// <param name="queues">The queues this host works.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>A task that completes on a hint of work.</returns>
    ValueTask WaitForWorkAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken);

    /// <summary>Marks the delivery's job running, or says why not to run it.</summary>
    /// <param name="delivery">The delivery.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What to do.</returns>
    ValueTask<StartStatus> StartAsync(JobDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Records the handler's progress (0 to 100) and message.</summary>
    /// <param name="delivery">The delivery.</param>
    /// <param name="percent">Progress, 0 to 100.</param>
    /// <param name="message">A short message, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when recorded.</returns>
    ValueTask ReportProgressAsync(JobDelivery delivery, int percent, string? message, CancellationToken cancellationToken);

    /// <summary>Settles the delivery: the job succeeded, with its result as JSON (or null).</summary>
    /// <param name="delivery">The delivery.</param>
    /// <param name="resultJson">The handler's result as JSON, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when recorded.</returns>
    ValueTask SucceedAsync(JobDelivery delivery, string? resultJson, CancellationToken cancellationToken);

    /// <summary>Settles the delivery: the attempt failed; store the next attempt (<see cref="JobEnvelope.Attempt"/> + 1) to run at <paramref name="retryAt"/>.</summary>
    /// <param name="delivery">The delivery.</param>
    /// <param name="retryAt">When the next attempt becomes runnable.</param>
    /// <param name="error">The attempt's error, for the status.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when recorded.</returns>
    ValueTask RetryAsync(JobDelivery delivery, DateTimeOffset retryAt, string error, CancellationToken cancellationToken);

    /// <summary>Settles the delivery: the job failed for good; keep it as dead (requeueable) with its error.</summary>
    /// <param name="delivery">The delivery.</param>
    /// <param name="error">The last error.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when recorded.</returns>
    ValueTask DeadLetterAsync(JobDelivery delivery, string error, CancellationToken cancellationToken);

    /// <summary>Settles the delivery: the job stopped because it was cancelled.</summary>
    /// <param name="delivery">The delivery.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when recorded.</returns>
    ValueTask CancelledAsync(JobDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Gives back a delivery that did not run to an end (shutdown): it becomes runnable again, attempt unchanged.</summary>
    /// <param name="delivery">The delivery.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when given back.</returns>
    ValueTask ReleaseAsync(JobDelivery delivery, CancellationToken cancellationToken);

    /// <summary>The backend's duties while workers run (promoting delayed jobs, expiring status, heartbeats, reclaiming deliveries of stopped workers); runs until cancelled.</summary>
    /// <param name="queues">The queues this host works.</param>
    /// <param name="cancellationToken">Stops the duties.</param>
    /// <returns>A task that ends when cancelled.</returns>
    Task RunAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken);

    /// <summary>Jobs waiting in a queue, the last known value; must not block (read by a metrics gauge).</summary>
    /// <param name="queue">The queue.</param>
    /// <returns>The depth.</returns>
    long GetDepth(string queue);

    /// <summary>Jobs waiting in this process, queued or scheduled (zero for a backend that keeps them elsewhere).</summary>
    /// <returns>The count.</returns>
    long CountWaitingJobs();

    /// <summary>Whether the backend can take and hand out jobs; <see cref="HealthStatus.Unhealthy"/> is reported as the health check's failure status.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The result.</returns>
    ValueTask<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Null unless the backend knows its store is out of reach (it then fails calls at once and logs the outage
    /// itself); else why. Lets the endpoints answer 503 without logging a stack per request.
    /// </summary>
    /// <returns>Why the store is out of reach, or null.</returns>
    string? DescribeOutage() => null;
}
