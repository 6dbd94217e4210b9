namespace Strata.Jobs.Testing;

/// <summary>Runs <see cref="FlakyHandler"/>: fails its first <paramref name="FailTimes"/> calls, then succeeds.</summary>
/// <param name="Key">Counts the calls in <see cref="JobProbe.Attempts"/>.</param>
/// <param name="FailTimes">Calls that throw before one succeeds.</param>
public sealed record FlakyJob(string Key, int FailTimes);

/// <summary>Runs a <see cref="FlakyJob"/>; its failures throw an <see cref="InvalidOperationException"/> whose message holds a pretend secret.</summary>
/// <param name="probe">The host's probe.</param>
public sealed class FlakyHandler(JobProbe probe) : IJobHandler<FlakyJob>
{
    /// <inheritdoc />
    public Task HandleAsync(FlakyJob job, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        var calls = probe.Attempts.AddOrUpdate(job.Key, 1, (_, n) => n + 1);
        if (calls <= job.FailTimes)
        {
            // The message stands for a secret a careless handler might put in an exception.
            throw new InvalidOperationException("connection string password=hunter2 rejected");
        }

        return Task.CompletedTask;
    }
}
