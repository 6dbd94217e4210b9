namespace Strata.Jobs.Testing;

/// <summary>Runs <see cref="SlowHandler"/>: takes <paramref name="Milliseconds"/>, counted in <see cref="JobProbe.MaxRunning"/>.</summary>
/// <param name="Key">Marked started, then recorded in <see cref="JobProbe.Runs"/>.</param>
/// <param name="Milliseconds">How long the handler takes.</param>
public sealed record SlowJob(string Key, int Milliseconds);

/// <summary>Runs a <see cref="SlowJob"/>.</summary>
/// <param name="probe">The host's probe.</param>
public sealed class SlowHandler(JobProbe probe) : IJobHandler<SlowJob>
{
    /// <inheritdoc />
    public async Task HandleAsync(SlowJob job, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        probe.HandlerEntered();
        try
        {
            probe.MarkStarted(job.Key);
            await Task.Delay(job.Milliseconds, context.CancellationToken);
            probe.Runs.Enqueue(job.Key);
        }
        finally
        {
            probe.HandlerLeft();
        }
    }
}
