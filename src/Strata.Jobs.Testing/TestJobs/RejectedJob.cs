namespace Strata.Jobs.Testing;

/// <summary>Runs <see cref="RejectingHandler"/>: fails with a <see cref="JobFailedException"/> that is not retryable.</summary>
/// <param name="Key">Named in the error.</param>
public sealed record RejectedJob(string Key);

/// <summary>Runs a <see cref="RejectedJob"/>.</summary>
public sealed class RejectingHandler : IJobHandler<RejectedJob>
{
    /// <inheritdoc />
    public Task HandleAsync(RejectedJob job, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        throw new JobFailedException($"Job {job.Key} has an unsupported format.", retryable: false);
    }
}
