namespace Strata.Jobs.Testing;

/// <summary>Runs <see cref="ThreadHoldingHandler"/>: holds its thread without awaiting until <see cref="JobProbe.ThreadGate"/> is set or its token fires.</summary>
/// <param name="Key">Marked started, recorded in <see cref="JobProbe.TokensFired"/> or <see cref="JobProbe.Runs"/>.</param>
public sealed record ThreadHoldingJob(string Key);

/// <summary>Runs a <see cref="ThreadHoldingJob"/>: the worker cannot start anything queued behind it on that thread.</summary>
/// <param name="probe">The host's probe.</param>
public sealed class ThreadHoldingHandler(JobProbe probe) : IJobHandler<ThreadHoldingJob>
{
    /// <inheritdoc />
    public Task HandleAsync(ThreadHoldingJob job, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        probe.MarkStarted(job.Key);
        try
        {
            probe.ThreadGate.Wait(context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            probe.TokensFired.Add(job.Key);
            throw;
        }

        probe.Runs.Enqueue(job.Key);
        return Task.CompletedTask;
    }
}
