namespace Strata.ApiKeys;

/// <summary>A key as a store keeps it: the record plus the hash of the key. Only stores and the key manager see this type.</summary>
public sealed class StoredApiKey
{
    /// <summary>The key record.</summary>
    public required ApiKeyRecord Record { get; init; }

    /// <summary>The lower-case hex hash of the key (see <see cref="ApiKeyFormat.ComputeHash"/>). Never log or return it.</summary>
    public required string Hash { get; init; }

    /// <summary>
    /// The store's version of the record: a new key starts at 1 and every <see cref="IApiKeyStore.UpdateAsync"/>
    /// adds one (recording last-used times does not). Pass it back to <c>UpdateAsync</c> as the expected version so
    /// a change another writer made meanwhile is detected instead of overwritten. Ignored by <c>CreateAsync</c>;
    /// 0 in read-only stores.
    /// </summary>
    public long Version { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"StoredApiKey {{ Id = {Record.Id} }}";
}
