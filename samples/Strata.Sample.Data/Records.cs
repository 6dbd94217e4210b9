namespace Strata.Sample.Data;

/// <summary>What <see cref="IAnalysisRepository.SaveAsync"/> stores: the document's text and its analysis.</summary>
public sealed record NewAnalysis(
    string OwnerKeyId,
    string Text,
    string? JobId,
    string Summary,
    IReadOnlyList<string> Keywords,
    string Sentiment,
    double SentimentScore,
    int TokenCount);

/// <summary>A stored analysis, as read back from the database.</summary>
public sealed record StoredAnalysis(
    Guid Id,
    Guid DocumentId,
    string OwnerKeyId,
    string? JobId,
    string Summary,
    IReadOnlyList<string> Keywords,
    string Sentiment,
    double SentimentScore,
    int TokenCount,
    DateTimeOffset CreatedAt);
