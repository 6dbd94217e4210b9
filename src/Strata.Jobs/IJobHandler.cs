namespace Strata.Jobs;

/// <summary>Runs jobs of one type. Resolved from a fresh DI scope for every job, so it may take scoped services.</summary>
/// <typeparam name="TJob">The job payload type.</typeparam>
public interface IJobHandler<in TJob>
{
    /// <summary>Runs one attempt of a job.</summary>
    /// <param name="job">The payload, deserialized.</param>
    /// <param name="context">The job id, attempt, progress reporting, result and the cancellation token.</param>
    /// <returns>A task that completes when the attempt is done. Throwing fails the attempt (retried per policy).</returns>
    Task HandleAsync(TJob job, JobContext context);
}
