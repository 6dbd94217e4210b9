namespace Strata.Jobs.Backends;

/// <summary>What <see cref="IJobBackend.EnqueueAsync"/> did with a job.</summary>
public enum EnqueueStatus
{
    /// <summary>The job was stored (queued or scheduled).</summary>
    Enqueued,

    /// <summary>A job with the same idempotency key on the same queue is remembered; nothing was stored.</summary>
    Duplicate,

    /// <summary>The queue is at capacity and the caller did not ask to wait; nothing was stored.</summary>
    Full,
}
