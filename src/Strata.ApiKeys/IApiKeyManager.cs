namespace Strata.ApiKeys;

/// <summary>
/// Creates and manages API keys. Every change invalidates the cached lookup of the key on this node and in the shared
/// cache. Changes are optimistic: a change is written only if the key is still the version that was read (see
/// <see cref="StoredApiKey.Version"/>), so two nodes editing one key never overwrite each other; on a conflict the
/// manager reads the key again and reapplies its change, and after several conflicts in a row throws
/// <see cref="ApiKeyConcurrencyException"/>.
/// </summary>
public interface IApiKeyManager
{
    /// <summary>Creates a key.</summary>
    /// <param name="request">Owner, scopes and the rest.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The plaintext key (returned only here) and its record.</returns>
    /// <exception cref="ArgumentException">The request is invalid (the message names the field).</exception>
    Task<CreatedApiKey> CreateAsync(ApiKeyCreateRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gets a key record by id.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The record, or <see langword="null"/>.</returns>
    Task<ApiKeyRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Lists all key records, optionally of one owner. For many keys, page with <see cref="ListPageAsync"/>.</summary>
    /// <param name="owner">The owner, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The records, oldest first.</returns>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? owner = null, CancellationToken cancellationToken = default);

    /// <summary>Lists one page of key records, oldest first (creation time, then id); pass the page's <see cref="ApiKeyPage.NextCursor"/> back to get the next.</summary>
    /// <param name="query">Owner, page size and cursor.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentException">The limit is out of range or the cursor is not one this manager returned.</exception>
    Task<ApiKeyPage> ListPageAsync(ApiKeyQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes a key in place: its name, scopes, metadata or allowed networks (the properties of
    /// <paramref name="update"/> that are not <see langword="null"/>). The key's secret and hash stay, so clients keep
    /// using it. The change is in force on this node at once (its cached lookups of the key are dropped, as on revoke)
    /// and on other nodes within <see cref="ApiKeysOptions.CacheDuration"/>. A revoked key can be updated too (the
    /// change does not bring it back).
    /// </summary>
    /// <param name="id">The key id.</param>
    /// <param name="update">What to change; <see langword="null"/> properties stay as they are.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The updated record (unchanged and not written when <paramref name="update"/> sets nothing), or <see langword="null"/> when no such key exists.</returns>
    /// <exception cref="ArgumentException">A value is invalid (the message names the field); nothing was written.</exception>
    /// <exception cref="ApiKeyConcurrencyException">Other writers kept changing the key (after several tries); nothing was written.</exception>
    Task<ApiKeyRecord?> UpdateAsync(string id, ApiKeyUpdate update, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a revoked key for good: its record leaves the store and this node's caches. Revoke it first: deleting
    /// is only for keys that can no longer be used, so a delete never cuts off a client by surprise.
    /// </summary>
    /// <param name="id">The key id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when no such key exists.</returns>
    /// <exception cref="InvalidOperationException">The key is not revoked (call <see cref="RevokeAsync"/> first); nothing was deleted.</exception>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Revokes a key for good.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when no such key exists.</returns>
    Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Disables a key (reversible with <see cref="EnableAsync"/>).</summary>
    /// <param name="id">The key id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when no such key exists.</returns>
    Task<bool> DisableAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Enables a disabled key.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when no such key exists.</returns>
    Task<bool> EnableAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Sets or clears a key's expiry.</summary>
    /// <param name="id">The key id.</param>
    /// <param name="expiresAt">The new expiry, or <see langword="null"/> for never.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="false"/> when no such key exists.</returns>
    Task<bool> SetExpiryAsync(string id, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Rotates a key: creates a new key with the same owner, name, prefix, scopes, metadata, allow-list and expiry,
    /// and makes the old key expire after <paramref name="overlap"/> (or earlier, if it already expires earlier).
    /// Rotation replaces the secret and grants nothing more: a disabled key's successor starts disabled
    /// (<see cref="EnableAsync"/> it when its holder may have access again), and a revoked, expired or already
    /// rotated key is refused with <see cref="ApiKeyRotationException"/>.
    /// </summary>
    /// <param name="id">The id of the key to replace.</param>
    /// <param name="overlap">How long the old key keeps working; <see cref="TimeSpan.Zero"/> ends it now.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new key, or <see langword="null"/> when no such key exists.</returns>
    /// <exception cref="ApiKeyRotationException">The key is revoked, expired, or was already rotated (rotate its successor instead); <see cref="ApiKeyRotationException.Reason"/> says which. Nothing was created.</exception>
    /// <exception cref="ApiKeyConcurrencyException">Other writers kept changing the key while it was being rotated (after several tries). Nothing usable was created.</exception>
    Task<CreatedApiKey?> RotateAsync(string id, TimeSpan overlap, CancellationToken cancellationToken = default);
}
