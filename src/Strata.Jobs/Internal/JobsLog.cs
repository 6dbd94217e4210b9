using Microsoft.Extensions.Logging;

namespace Strata.Jobs.Internal;

/// <summary>
/// Every <see cref="LoggerMessageAttribute"/> method of Strata.Jobs, in one class on purpose.
/// </summary>
/// <remarks>
/// The logging source generator writes all log classes of an assembly into one generated file,
/// and with several classes it emits them in an order that varies from build to build. That file
/// is embedded in the PDB, so two builds of one commit gave different PDBs and, through the PDB id,
/// different assemblies. One log class per assembly keeps the output deterministic: add new
/// messages here, not in a nested <c>Log</c> class. Event ids, names, levels and templates are
/// those the messages had before the move; the category comes from the logger each caller passes.
/// </remarks>
internal static partial class JobsLog
{
    // JobWorker

    [LoggerMessage(1, LogLevel.Information, "Jobs: {Backend}; workers starting: concurrency {Concurrency}, {QueueCount} queue(s).", EventName = "WorkersStarting")]
    public static partial void WorkersStarting(ILogger logger, string backend, int concurrency, int queueCount);

    [LoggerMessage(20, LogLevel.Information, "Jobs: {Backend}; no workers in this host (JobsOptions.RunWorkers is false): jobs are enqueued here and run elsewhere.", EventName = "NoWorkers")]
    public static partial void NoWorkers(ILogger logger, string backend);

    [LoggerMessage(2, LogLevel.Information, "Waiting up to {DrainTimeout} for {Count} running job(s) to finish.", EventName = "Draining")]
    public static partial void Draining(ILogger logger, int count, TimeSpan drainTimeout);

    [LoggerMessage(3, LogLevel.Warning, "{Count} job(s) still running after the drain window; cancelling them and returning them to the queue.", EventName = "DrainTimedOut")]
    public static partial void DrainTimedOut(ILogger logger, int count);

    [LoggerMessage(4, LogLevel.Error, "Receiving jobs from the {Backend} backend failed; retrying.", EventName = "ReceiveFailed")]
    public static partial void ReceiveFailed(ILogger logger, string backend, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "The {Backend} backend's background work failed; restarting it.", EventName = "BackgroundFailed")]
    public static partial void BackgroundFailed(ILogger logger, string backend, Exception exception);

    [LoggerMessage(6, LogLevel.Error, "Recording the outcome of job {JobId} in the {Backend} backend failed.", EventName = "RecordFailed")]
    public static partial void RecordFailed(ILogger logger, string jobId, string backend, Exception exception);

    [LoggerMessage(7, LogLevel.Error, "Job {JobId} has type '{JobType}', which has no handler on this host; dead-lettering it.", EventName = "NoHandler")]
    public static partial void NoHandler(ILogger logger, string jobId, string jobType);

    [LoggerMessage(8, LogLevel.Error, "Job {JobId}: the payload could not be read as '{JobType}'; dead-lettering it.", EventName = "BadPayload")]
    public static partial void BadPayload(ILogger logger, string jobId, string jobType, Exception exception);

    [LoggerMessage(9, LogLevel.Warning, "Job {JobId} attempt {Attempt} of {MaxAttempts} failed; retrying in {Delay}.", EventName = "Retrying")]
    public static partial void Retrying(ILogger logger, string jobId, int attempt, int maxAttempts, TimeSpan delay, Exception exception);

    [LoggerMessage(10, LogLevel.Error, "Job {JobId} failed on attempt {Attempt} and is dead-lettered.", EventName = "Failed")]
    public static partial void Failed(ILogger logger, string jobId, int attempt, Exception exception);

    [LoggerMessage(11, LogLevel.Information, "Job {JobId} was cancelled while running.", EventName = "Cancelled")]
    public static partial void Cancelled(ILogger logger, string jobId);

    [LoggerMessage(12, LogLevel.Information, "Job {JobId} was interrupted by shutdown and handed back to its queue.", EventName = "Interrupted")]
    public static partial void Interrupted(ILogger logger, string jobId);

    [LoggerMessage(13, LogLevel.Warning, "Job {JobId}'s handler did not stop after its timeout; it is abandoned and its slot reused.", EventName = "HandlerAbandoned")]
    public static partial void HandlerAbandoned(ILogger logger, string jobId);

    [LoggerMessage(14, LogLevel.Error, "Job {JobId} was delivered {Deliveries} times without finishing; dead-lettering it.", EventName = "TooManyDeliveries")]
    public static partial void TooManyDeliveries(ILogger logger, string jobId, int deliveries);

    [LoggerMessage(15, LogLevel.Error, "JobsOptions.DescribeError threw; using the default summary.", EventName = "DescribeFailed")]
    public static partial void DescribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(16, LogLevel.Error, "Job {JobId} was interrupted by shutdown, but handing it back to the {Backend} backend failed; it is delivered again once its lease runs out.", EventName = "HandBackFailed")]
    public static partial void HandBackFailed(ILogger logger, string jobId, string backend, Exception exception);

    [LoggerMessage(18, LogLevel.Information, "Stopping: running the {Count} job(s) queued in this process (the {Backend} backend keeps them nowhere else) for up to {DrainTimeout} before taking no more work.", EventName = "EmptyingQueues")]
    public static partial void EmptyingQueues(ILogger logger, long count, string backend, TimeSpan drainTimeout);

    [LoggerMessage(19, LogLevel.Error, "Stopped with {Count} accepted job(s) still waiting in the {Backend} backend: they are lost with this process. Give the drain more time (JobsOptions.ShutdownDrainTimeout, the host's ShutdownTimeout) or use a backend that outlives the process.", EventName = "JobsLost")]
    public static partial void JobsLost(ILogger logger, long count, string backend);

    [LoggerMessage(17, LogLevel.Warning, "{Count} interrupted job(s) not handed back within {GracePeriod} of their tokens firing (handlers that ignore their token); stopping without them.", EventName = "HandBackTimedOut")]
    public static partial void HandBackTimedOut(ILogger logger, int count, TimeSpan gracePeriod);

    // PausedQueues and FleetLimits

    [LoggerMessage(40, LogLevel.Information, "Queue '{Queue}' is paused: this host takes no new job from it until it is resumed.", EventName = "QueuePaused")]
    public static partial void QueuePaused(ILogger logger, string queue);

    [LoggerMessage(41, LogLevel.Information, "Queue '{Queue}' is resumed: this host takes jobs from it again.", EventName = "QueueResumed")]
    public static partial void QueueResumed(ILogger logger, string queue);

    [LoggerMessage(42, LogLevel.Warning, "Reading the paused queues from the {Backend} backend failed; keeping the last known ones until a read succeeds.", EventName = "PauseReadFailed")]
    public static partial void PauseReadFailed(ILogger logger, string backend, Exception exception);

    [LoggerMessage(43, LogLevel.Information, "Reading the paused queues from the {Backend} backend works again.", EventName = "PauseReadRestored")]
    public static partial void PauseReadRestored(ILogger logger, string backend);

    [LoggerMessage(44, LogLevel.Error, "Checking the fleet-wide limits of job {JobId} in the {Backend} backend failed; it is tried again in {Delay}.", EventName = "LimitCheckFailed")]
    public static partial void LimitCheckFailed(ILogger logger, string jobId, string backend, TimeSpan delay, Exception exception);

    [LoggerMessage(45, LogLevel.Warning, "Job {JobId} names limit key '{LimitKey}', which is not among this host's JobsOptions.RateLimits ({Configured}); it runs without that limit. Configure the same RateLimits on every host.", EventName = "UnknownLimitKey")]
    public static partial void UnknownLimitKey(ILogger logger, string jobId, string limitKey, string configured);

    [LoggerMessage(46, LogLevel.Warning, "Freeing job {JobId}'s slot of '{Scope}' failed; it frees itself when its lease ends (within {Lease}).", EventName = "SlotReleaseFailed")]
    public static partial void SlotReleaseFailed(ILogger logger, string jobId, string scope, TimeSpan lease, Exception exception);

    [LoggerMessage(47, LogLevel.Warning, "Renewing job {JobId}'s slot of '{Scope}' failed; retrying at the next renewal.", EventName = "SlotRenewFailed")]
    public static partial void SlotRenewFailed(ILogger logger, string jobId, string scope, Exception exception);

    [LoggerMessage(48, LogLevel.Warning, "Job {JobId} lost its slot of '{Scope}' (its lease ran out before it was renewed and the slot was taken); the fleet-wide cap may be exceeded while it runs.", EventName = "SlotLost")]
    public static partial void SlotLost(ILogger logger, string jobId, string scope);

    // JobEndpointHandlers

    [LoggerMessage(201, LogLevel.Error, "A {Method} job request failed because the job backend failed; answering 503.", EventName = "BackendUnavailable")]
    public static partial void BackendUnavailable(ILogger logger, string method, Exception exception);

    [LoggerMessage(202, LogLevel.Debug, "A {Method} job request answered 503: {Outage}", EventName = "StoreOutage")]
    public static partial void StoreOutage(ILogger logger, string method, string outage);
}
