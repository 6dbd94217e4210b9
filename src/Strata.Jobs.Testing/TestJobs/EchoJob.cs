namespace Strata.Jobs.Testing;

/// <summary>Runs <see cref="EchoHandler"/>: reports progress 50 ("halfway") and sets an <see cref="EchoResult"/>.</summary>
/// <param name="Text">Recorded in <see cref="JobProbe.Runs"/> and upper-cased into the result.</param>
public sealed record EchoJob(string Text);

/// <summary>The result of an <see cref="EchoJob"/>.</summary>
/// <param name="Upper">The job's text in upper case.</param>
/// <param name="Attempt">The attempt that made it.</param>
public sealed record EchoResult(string Upper, int Attempt);

/// <summary>Runs an <see cref="EchoJob"/>.</summary>
/// <param name="probe">The host's probe.</param>
public sealed class EchoHandler(JobProbe probe) : IJobHandler<EchoJob>
{
    /// <inheritdoc />
    public async Task HandleAsync(EchoJob job, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        probe.Runs.Enqueue(job.Text);
        await context.ReportProgressAsync(50, "halfway");
        context.SetResult(new EchoResult(job.Text.ToUpperInvariant(), context.Attempt));
    }
}
