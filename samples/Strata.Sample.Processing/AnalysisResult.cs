using Strata.Sample.Data;

namespace Strata.Sample.Processing;

/// <summary>
/// What a caller gets back for an analysis, from the sync path (<c>POST /v1/analyze</c>) and as the result of a job.
/// </summary>
public sealed record AnalysisResult(
    Guid AnalysisId,
    Guid DocumentId,
    string Summary,
    IReadOnlyList<string> Keywords,
    string Sentiment,
    double SentimentScore,
    int TokenCount,
    DateTimeOffset CreatedAt)
{
    /// <summary>The caller-facing view of a stored analysis (the owner and job id stay inside).</summary>
    public static AnalysisResult From(StoredAnalysis stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return new AnalysisResult(stored.Id, stored.DocumentId, stored.Summary, stored.Keywords, stored.Sentiment,
            stored.SentimentScore, stored.TokenCount, stored.CreatedAt);
    }
}
