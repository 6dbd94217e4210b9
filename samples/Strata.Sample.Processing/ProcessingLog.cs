using Microsoft.Extensions.Logging;

namespace Strata.Sample.Processing;

/// <summary>
/// Every log message of the processing layer, in one class: the logging source generator writes all log classes of an
/// assembly into one file, in an order that varies between builds when there are several (see Strata.Jobs' JobsLog).
/// </summary>
internal static partial class ProcessingLog
{
    [LoggerMessage(1, LogLevel.Information, "Job {JobId} analyzed: analysis {AnalysisId}, {TokenCount} tokens, trace {TraceId}")]
    public static partial void JobAnalyzed(ILogger logger, string jobId, Guid analysisId, int tokenCount, string? traceId);

    [LoggerMessage(2, LogLevel.Warning, "Job {JobId} saved analysis {AnalysisId}; pausing {Pause} before completing it (Processing:PauseAfterSave, a fault-injection setting)")]
    public static partial void PausingAfterSave(ILogger logger, string jobId, Guid analysisId, TimeSpan pause);

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Purged {Count} finished analysis jobs that finished before {Before:O}.")]
    public static partial void Purged(ILogger logger, long count, DateTimeOffset before);
}
