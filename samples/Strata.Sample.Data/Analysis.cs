namespace Strata.Sample.Data;

/// <summary>The analysis of one <see cref="Document"/>. <see cref="JobId"/> is unique when set (one analysis per job).</summary>
public sealed class Analysis
{
    /// <summary>The longest job id stored.</summary>
    public const int JobIdMaxLength = 128;

    /// <summary>The longest sentiment label stored.</summary>
    public const int SentimentMaxLength = 16;

    public Guid Id { get; set; }

    public Guid DocumentId { get; set; }

    public string OwnerKeyId { get; set; } = string.Empty;

    public string? JobId { get; set; }

    public string Summary { get; set; } = string.Empty;

    /// <summary>Stored as one JSON array (the same text column on every provider).</summary>
    public List<string> Keywords { get; set; } = [];

    public string Sentiment { get; set; } = string.Empty;

    public double SentimentScore { get; set; }

    public int TokenCount { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
