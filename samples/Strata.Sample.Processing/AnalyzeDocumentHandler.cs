using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strata.Jobs;
using Strata.Sample.Ai;
using Strata.Sample.Data;

namespace Strata.Sample.Processing;

/// <summary>
/// Runs an <see cref="AnalyzeDocument"/> job: analyzes the text (reporting progress), stores the document and its
/// analysis under the job's owner with <c>JobId</c> = the job id, and sets the job's result to the analysis.
/// </summary>
/// <remarks>
/// Delivery is at-least-once with the Redis backend: a job can run twice after a worker crash. The save is
/// idempotent by job id (the repository returns the analysis stored by the first run and writes nothing), so a
/// redelivered job ends with the same result and no duplicate rows.
/// </remarks>
public sealed class AnalyzeDocumentHandler(
    IDocumentAnalyzer analyzer,
    IAnalysisRepository repository,
    IOptions<SampleProcessingOptions> options,
    TimeProvider time,
    ILogger<AnalyzeDocumentHandler> logger) : IJobHandler<AnalyzeDocument>
{
    public async Task HandleAsync(AnalyzeDocument job, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrWhiteSpace(job.Text))
        {
            // Never retried: the same text fails the same way every time.
            throw new JobFailedException("The document has no text to analyze.", retryable: false);
        }

        var cancellationToken = context.CancellationToken;
        var progress = new JobProgress(context);
        var analysis = await analyzer.AnalyzeAsync(job.Text, progress, cancellationToken).ConfigureAwait(false);
        await progress.FlushAsync().ConfigureAwait(false);

        // The save is not cancelled (shutdown, job cancel or timeout): it is one short transaction, and cut off halfway it
        // would only be rolled back, logged by EF Core as a transaction error, and redone by the job's next run.
        var stored = await repository.SaveAsync(
            new NewAnalysis(
                context.Owner ?? string.Empty,
                job.Text,
                context.JobId,
                analysis.Summary,
                analysis.Keywords,
                analysis.Sentiment,
                analysis.SentimentScore,
                analysis.TokenCount),
            CancellationToken.None).ConfigureAwait(false);

        if (options.Value.PauseAfterSave is { Ticks: > 0 } pause)
        {
            // Fault injection (Processing:PauseAfterSave, off by default): stored, not yet acknowledged.
            ProcessingLog.PausingAfterSave(logger, context.JobId, stored.Id, pause);
            await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
        }

        context.SetResult(AnalysisResult.From(stored));
        ProcessingLog.JobAnalyzed(logger, context.JobId, stored.Id, analysis.TokenCount, Activity.Current?.TraceId.ToString());
    }
}
