namespace Strata.ApiKeys;

/// <summary>Which page of keys <see cref="IApiKeyManager.ListPageAsync"/> returns.</summary>
public sealed class ApiKeyQuery
{
    /// <summary>The largest <see cref="Limit"/> accepted: 1000.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Only keys of this owner. <value>Default <see langword="null"/>: all owners.</value></summary>
    public string? Owner { get; init; }

    /// <summary>The most keys on one page, 1 to <see cref="MaxLimit"/>. <value>Default 100.</value></summary>
    public int Limit { get; init; } = 100;

    /// <summary>
    /// Where the page starts: the <see cref="ApiKeyPage.NextCursor"/> of the previous page (with the same
    /// <see cref="Owner"/>), or <see langword="null"/> for the first page. Opaque: do not build or parse it.
    /// <value>Default <see langword="null"/>.</value>
    /// </summary>
    public string? Cursor { get; init; }
}
