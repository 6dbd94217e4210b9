namespace Strata.ApiKeys;

/// <summary>
/// A key was changed by another writer (another node, another admin call) after it was read: the update that
/// expected the older <see cref="StoredApiKey.Version"/> was not applied. Read the key again and reapply the change.
/// <see cref="IApiKeyManager"/> does this itself a few times before it gives up with this exception.
/// </summary>
public sealed class ApiKeyConcurrencyException : Exception
{
    /// <summary>Creates the exception for a key.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="expectedVersion">The version the writer read.</param>
    public ApiKeyConcurrencyException(string keyId, long expectedVersion)
        : this(keyId, expectedVersion, innerException: null)
    {
    }

    /// <summary>Creates the exception for a key, with the store's own exception.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="expectedVersion">The version the writer read.</param>
    /// <param name="innerException">The store's exception (for example Entity Framework Core's concurrency exception), or <see langword="null"/>.</param>
    public ApiKeyConcurrencyException(string keyId, long expectedVersion, Exception? innerException)
        : base($"API key '{keyId}' was changed by another writer after it was read (the update expected version {expectedVersion}); nothing was written. Read the key again and reapply the change.", innerException)
    {
        KeyId = keyId;
        ExpectedVersion = expectedVersion;
    }

    /// <summary>The id of the key.</summary>
    public string KeyId { get; }

    /// <summary>The version the writer read, which is no longer the stored one.</summary>
    public long ExpectedVersion { get; }
}
