namespace Strata.Jobs.Testing;

/// <summary>Runs <see cref="HangingHandler"/>: ignores its token and waits for <see cref="JobProbe.HangRelease"/>.</summary>
/// <param name="Key">Marked started.</param>
public sealed record HangingJob(string Key);

/// <summary>Runs a <see cref="HangingJob"/>.</summary>
/// <param name="probe">The host's probe.</param>
public sealed class HangingHandler(JobProbe probe) : IJobHandler<HangingJob>
{
    /// <inheritdoc />
    public async Task HandleAsync(HangingJob job, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        probe.MarkStarted(job.Key);

        // Ignores its token on purpose; released by the test at the end.
        await probe.HangRelease.Task;
    }
}
