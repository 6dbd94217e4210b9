namespace Strata.Sample.Data;

/// <summary>A document sent for analysis, owned by the API key that sent it.</summary>
public sealed class Document
{
    /// <summary>The longest owner key id stored (the API-key table's id length).</summary>
    public const int OwnerKeyIdMaxLength = 64;

    public Guid Id { get; set; }

    public string OwnerKeyId { get; set; } = string.Empty;

    public string Text { get; set; } = string.Empty;

    public int TokenCount { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
