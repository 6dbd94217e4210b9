namespace Strata.ApiKeys;

/// <summary>
/// A range of keys for <see cref="IApiKeyStore.ListAsync"/>: in the order of <see cref="ApiKeyRecord.CreatedAt"/> (as an
/// instant) then <see cref="ApiKeyRecord.Id"/>, the first <see cref="Limit"/> keys after the position
/// (<see cref="AfterCreatedAt"/>, <see cref="AfterId"/>).
/// </summary>
public sealed class ApiKeyStoreQuery
{
    /// <summary>Only keys of this owner, or <see langword="null"/> for all.</summary>
    public string? Owner { get; init; }

    /// <summary>The creation time of the last key already seen, or <see langword="null"/> to start at the beginning. Set together with <see cref="AfterId"/>.</summary>
    public DateTimeOffset? AfterCreatedAt { get; init; }

    /// <summary>The id of the last key already seen, or <see langword="null"/> to start at the beginning. Set together with <see cref="AfterCreatedAt"/>.</summary>
    public string? AfterId { get; init; }

    /// <summary>The most keys to return; at least 1.</summary>
    public required int Limit { get; init; }
}
