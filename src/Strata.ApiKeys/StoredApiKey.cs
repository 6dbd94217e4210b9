namespace Strata.ApiKeys;

/// <summary>A key as a store keeps it: the record plus the hash of the key. Only stores and the key manager see this type.</summary>
public sealed class StoredApiKey
{
    /// <summary>The key record.</summary>
    public required ApiKeyRecord Record { get; init; }

    /// <summary>The lower-case hex hash of the key (see <see cref="ApiKeyFormat.ComputeHash"/>). Never log or return it.</summary>
    public required string Hash { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"StoredApiKey {{ Id = {Record.Id} }}";
}
