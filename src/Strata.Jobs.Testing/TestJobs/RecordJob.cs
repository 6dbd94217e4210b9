namespace Strata.Jobs.Testing;

/// <summary>Runs <see cref="RecordHandler"/>: records its key; the key <c>gate</c> first waits for <see cref="JobProbe.Gate"/>.</summary>
/// <param name="Key">Recorded in <see cref="JobProbe.Runs"/>.</param>
public sealed record RecordJob(string Key);

/// <summary>Runs a <see cref="RecordJob"/>.</summary>
/// <param name="probe">The host's probe.</param>
public sealed class RecordHandler(JobProbe probe) : IJobHandler<RecordJob>
{
    /// <inheritdoc />
    public async Task HandleAsync(RecordJob job, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        if (job.Key == "gate")
        {
            await probe.Gate.Task.WaitAsync(context.CancellationToken);
        }

        probe.Runs.Enqueue(job.Key);
    }
}
