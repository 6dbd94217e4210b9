using System.Collections.Concurrent;
using Strata.Jobs;

namespace Strata.Dashboard.BrowserTests.Infrastructure;

/// <summary>Runs a <see cref="ProbeJob"/> as its mode says; failures are not retryable, so one failure makes the job dead.</summary>
public sealed class ProbeJobHandler : IJobHandler<ProbeJob>
{
    /// <summary>The job type name the probes are stored under.</summary>
    public const string Name = "browser-probe";

    private static readonly ConcurrentDictionary<string, int> Runs = new(StringComparer.Ordinal);

    public async Task HandleAsync(ProbeJob job, JobContext context)
    {
        var run = Runs.AddOrUpdate(context.JobId, 1, (_, count) => count + 1);
        switch (job.Mode)
        {
            case ProbeMode.Fail:
            case ProbeMode.FailOnce when run == 1:
                throw new JobFailedException(job.Text, retryable: false);
            case ProbeMode.RunUntilCancelled:
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
                break;
            default:
                context.SetResult(new { echo = job.Text, run });
                break;
        }
    }
}
