namespace Strata.ApiKeys;

/// <summary>
/// Where key records and hashes live. Implementations must be thread-safe; the authentication handler,
/// the key manager and the last-used flusher call them concurrently.
/// </summary>
public interface IApiKeyStore
{
    /// <summary>Finds a key by its hash (lower-case hex).</summary>
    /// <param name="hash">The hash, as produced by <see cref="ApiKeyFormat.ComputeHash"/>.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The key, or <see langword="null"/> when none has this hash.</returns>
    Task<StoredApiKey?> FindByHashAsync(string hash, CancellationToken cancellationToken = default);

    /// <summary>Finds a key by its id.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The key, or <see langword="null"/>.</returns>
    Task<StoredApiKey?> FindByIdAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists one range of keys: of <see cref="ApiKeyStoreQuery.Owner"/> (or all), ordered by
    /// <see cref="ApiKeyRecord.CreatedAt"/> as an instant, then by <see cref="ApiKeyRecord.Id"/>, starting after the
    /// query's position, at most <see cref="ApiKeyStoreQuery.Limit"/> keys. Keys created in the same tick are told
    /// apart by id, so paging on the last key returned never skips or repeats one. A store that holds many keys
    /// answers from an index on that order rather than reading them all.
    /// </summary>
    /// <param name="query">Owner, position and limit.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The keys, in that order.</returns>
    Task<IReadOnlyList<StoredApiKey>> ListAsync(ApiKeyStoreQuery query, CancellationToken cancellationToken = default);

    /// <summary>Adds a new key.</summary>
    /// <param name="key">The key; its id and hash are unique.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the key is stored.</returns>
    /// <exception cref="InvalidOperationException">A key with the same id or hash exists.</exception>
    /// <exception cref="NotSupportedException">The store is read-only.</exception>
    Task CreateAsync(StoredApiKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the record of an existing key (its hash stays) and adds one to its <see cref="StoredApiKey.Version"/>,
    /// except that a revocation is permanent and the last-used time never moves back: when the stored key is revoked,
    /// its <see cref="ApiKeyRecord.RevokedAt"/> is kept, and the later of the stored and the given
    /// <see cref="ApiKeyRecord.LastUsedAt"/> is kept.
    /// </summary>
    /// <param name="record">The new record; <see cref="ApiKeyRecord.Id"/> names the key.</param>
    /// <param name="expectedVersion">
    /// The <see cref="StoredApiKey.Version"/> the change was made from: when the stored version differs (another
    /// writer changed the key since), nothing is written and <see cref="ApiKeyConcurrencyException"/> is thrown. The
    /// check and the write are one atomic step, also across nodes sharing a database. <see langword="null"/> writes
    /// whatever the version (last writer wins, within the rules above).
    /// </param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when the key existed and was updated; <see langword="false"/> when no such key exists.</returns>
    /// <exception cref="ApiKeyConcurrencyException">The stored version is not <paramref name="expectedVersion"/>.</exception>
    /// <exception cref="NotSupportedException">The store is read-only.</exception>
    Task<bool> UpdateAsync(ApiKeyRecord record, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Removes a key for good. <see cref="IApiKeyManager.DeleteAsync"/> deletes only revoked keys; the store does not check.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns><see langword="true"/> when the key existed and was removed; <see langword="false"/> when no such key exists.</returns>
    /// <exception cref="NotSupportedException">The store is read-only.</exception>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Records last-used times in one batch; a time earlier than the stored one is ignored. Unknown ids are ignored.</summary>
    /// <param name="lastUsed">Key id to last-used time.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when written.</returns>
    Task RecordLastUsedAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUsed, CancellationToken cancellationToken = default);
}
