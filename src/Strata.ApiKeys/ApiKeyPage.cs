namespace Strata.ApiKeys;

/// <summary>One page of key records, oldest first (creation time, then id).</summary>
public sealed class ApiKeyPage
{
    /// <summary>The records on this page: at most the query's <see cref="ApiKeyQuery.Limit"/>.</summary>
    public required IReadOnlyList<ApiKeyRecord> Items { get; init; }

    /// <summary>
    /// The <see cref="ApiKeyQuery.Cursor"/> of the next page, or <see langword="null"/> when this is the last one. A
    /// cursor names the last key of this page, so keys created or deleted meanwhile neither repeat nor shift a page.
    /// </summary>
    public string? NextCursor { get; init; }
}
