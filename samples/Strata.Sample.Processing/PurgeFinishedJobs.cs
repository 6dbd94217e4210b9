using Microsoft.Extensions.Logging;
using Strata.Jobs;

namespace Strata.Sample.Processing;

/// <summary>
/// A recurring job (nightly, Program.cs): deletes finished analysis jobs older than <paramref name="KeepDays"/> days,
/// so the job store keeps only recent history whatever its retention setting. The analyses themselves stay in the
/// database.
/// </summary>
/// <param name="KeepDays">How many days of finished jobs to keep.</param>
public sealed record PurgeFinishedJobs(int KeepDays);

/// <summary>Runs <see cref="PurgeFinishedJobs"/> through <see cref="IJobAdmin"/>; safe to repeat, so a retry or a second delivery does no harm.</summary>
public sealed class PurgeFinishedJobsHandler(IJobAdmin admin, TimeProvider time, ILogger<PurgeFinishedJobsHandler> logger) : IJobHandler<PurgeFinishedJobs>
{
    /// <summary>The job type whose finished jobs are purged.</summary>
    public const string AnalysisJobType = "analyze-document";

    public async Task HandleAsync(PurgeFinishedJobs job, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        if (job.KeepDays < 1)
        {
            throw new JobFailedException($"KeepDays must be at least 1, not {job.KeepDays}.", retryable: false);
        }

        var before = time.GetUtcNow().AddDays(-job.KeepDays);
        var deleted = await admin.DeleteManyAsync(
            new JobFilter { JobType = AnalysisJobType, FinishedBefore = before },
            context.CancellationToken).ConfigureAwait(false);
        ProcessingLog.Purged(logger, deleted, before);
    }
}
