namespace Strata.Jobs;

/// <summary>Adds jobs to the queue, cancels them and requeues dead-lettered ones.</summary>
public interface IJobQueue
{
    /// <summary>
    /// Enqueues a job and returns its id. When the queue is full (in-memory backend) the call waits
    /// for room, unless the backend is set to drop instead; cancel <paramref name="cancellationToken"/> to stop waiting.
    /// </summary>
    /// <typeparam name="TJob">A job type registered with <c>AddJob</c> or <c>AddHandler</c>.</typeparam>
    /// <param name="job">The job payload, serialized with System.Text.Json.</param>
    /// <param name="options">Per-job settings, or null for the defaults.</param>
    /// <param name="cancellationToken">Stops waiting for room in a full queue.</param>
    /// <returns>The job id; with an idempotency key that is already known, the id of the existing job.</returns>
    /// <exception cref="InvalidOperationException">The job type is not registered.</exception>
    /// <exception cref="ArgumentException">An option is out of range or names an unknown queue.</exception>
    ValueTask<string> EnqueueAsync<TJob>(TJob job, JobOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Enqueues a job only if the queue has room now; never waits.</summary>
    /// <returns>The job id, or null when the queue is full.</returns>
    ValueTask<string?> TryEnqueueAsync<TJob>(TJob job, JobOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Requests cancellation: a job that has not started is marked cancelled and never runs; a running
    /// job's <see cref="JobContext.CancellationToken"/> fires.
    /// </summary>
    /// <returns>False when the job is unknown or already finished.</returns>
    ValueTask<bool> CancelAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Puts a dead-lettered job back on its queue with a fresh set of attempts.</summary>
    /// <returns>False when the job is unknown or not dead.</returns>
    ValueTask<bool> RequeueAsync(string jobId, CancellationToken cancellationToken = default);
}
