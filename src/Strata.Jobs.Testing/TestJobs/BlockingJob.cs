namespace Strata.Jobs.Testing;

/// <summary>Runs <see cref="BlockingHandler"/>: waits until its token fires.</summary>
/// <param name="Key">Marked started, and recorded in <see cref="JobProbe.TokensFired"/>.</param>
public sealed record BlockingJob(string Key);

/// <summary>Runs a <see cref="BlockingJob"/>.</summary>
/// <param name="probe">The host's probe.</param>
public sealed class BlockingHandler(JobProbe probe) : IJobHandler<BlockingJob>
{
    /// <inheritdoc />
    public async Task HandleAsync(BlockingJob job, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        probe.MarkStarted(job.Key);
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            probe.TokensFired.Add(job.Key);
            throw;
        }
    }
}
