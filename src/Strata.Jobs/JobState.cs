namespace Strata.Jobs;

/// <summary>Where a job is in its life.</summary>
public enum JobState
{
    /// <summary>Waiting in its queue for a worker.</summary>
    Queued = 0,

    /// <summary>Waiting for its run time (a delayed job).</summary>
    Scheduled = 1,

    /// <summary>A worker is running its handler.</summary>
    Running = 2,

    /// <summary>The handler completed; <see cref="JobInfo.Result"/> holds the result, if any.</summary>
    Succeeded = 3,

    /// <summary>The last attempt failed and another attempt is scheduled (see <see cref="JobInfo.Error"/>).</summary>
    Failed = 4,

    /// <summary>Every attempt failed, or the failure was not retryable: the job is in the dead-letter queue and can be requeued.</summary>
    Dead = 5,

    /// <summary>Cancelled on request before or while it ran.</summary>
    Cancelled = 6,
}
