using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Strata.ApiKeys.Internal;

internal sealed partial class ApiKeyManager : IApiKeyManager
{
    private const int IdRandomLength = 16;

    /// <summary>Page size used when the simple <c>ListAsync(owner)</c> reads every key.</summary>
    private const int ListAllPageSize = 500;

    /// <summary>Tries of one change when other writers keep changing the key between read and write.</summary>
    private const int MaxAttempts = 5;

    private readonly IApiKeyStore _store;
    private readonly ApiKeyLookup _lookup;
    private readonly ApiKeyHasher _hasher;
    private readonly TimeProvider _time;
    private readonly ApiKeySchemePrefixes _prefixes;
    private readonly ILogger<ApiKeyManager> _logger;

    // Read-change-write of one key is serialised within this process (striped by id), so two admin calls on the
    // same key do not overwrite each other's change. Across nodes the store's own rules apply (IApiKeyStore.UpdateAsync).
    private readonly SemaphoreSlim[] _keyLocks = CreateLocks(32);

    public ApiKeyManager(
        IApiKeyStore store,
        ApiKeyLookup lookup,
        ApiKeyHasher hasher,
        TimeProvider time,
        ApiKeySchemePrefixes prefixes,
        ILogger<ApiKeyManager> logger)
    {
        _store = store;
        _lookup = lookup;
        _hasher = hasher;
        _time = time;
        _prefixes = prefixes;
        _logger = logger;
    }

    public async Task<CreatedApiKey> CreateAsync(ApiKeyCreateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        var prefix = _prefixes.ForNewKey(request.Prefix);

        var record = new ApiKeyRecord
        {
            Id = NewId(),
            Owner = request.Owner,
            Name = request.Name,
            Prefix = prefix,
            Scopes = request.Scopes.Distinct(StringComparer.Ordinal).ToArray(),
            Metadata = request.Metadata is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal),
            AllowedNetworks = request.AllowedNetworks.ToArray(),
            CreatedAt = _time.GetUtcNow(),
            ExpiresAt = request.ExpiresAt,
        };

        var created = await StoreNewKeyAsync(record, cancellationToken).ConfigureAwait(false);
        ApiKeysLog.Created(_logger, record.Id, record.Owner);
        return created;
    }

    public async Task<ApiKeyRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return (await _store.FindByIdAsync(id, cancellationToken).ConfigureAwait(false))?.Record;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? owner = null, CancellationToken cancellationToken = default)
    {
        var all = new List<ApiKeyRecord>();
        ApiKeyRecord? last = null;
        while (true)
        {
            var keys = await _store.ListAsync(
                new ApiKeyStoreQuery { Owner = owner, AfterCreatedAt = last?.CreatedAt, AfterId = last?.Id, Limit = ListAllPageSize },
                cancellationToken).ConfigureAwait(false);
            all.AddRange(keys.Select(k => k.Record));
            if (keys.Count < ListAllPageSize)
            {
                return all;
            }

            last = keys[^1].Record;
        }
    }

    public async Task<ApiKeyPage> ListPageAsync(ApiKeyQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > ApiKeyQuery.MaxLimit)
        {
            throw new ArgumentException($"Limit is {query.Limit}; it must be 1 to {ApiKeyQuery.MaxLimit}.", nameof(query));
        }

        (DateTimeOffset CreatedAt, string Id)? after = query.Cursor is null ? null : ApiKeyCursor.Parse(query.Cursor, nameof(query));

        // One more than asked: whether it comes back tells if there is a next page, so the last page has no cursor.
        var keys = await _store.ListAsync(
            new ApiKeyStoreQuery { Owner = query.Owner, AfterCreatedAt = after?.CreatedAt, AfterId = after?.Id, Limit = query.Limit + 1 },
            cancellationToken).ConfigureAwait(false);
        var items = keys.Take(query.Limit).Select(k => k.Record).ToList();
        return new ApiKeyPage
        {
            Items = items,
            NextCursor = keys.Count > query.Limit ? ApiKeyCursor.For(items[^1]) : null,
        };
    }

    public async Task<ApiKeyRecord?> UpdateAsync(string id, ApiKeyUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(update);
        ApiKeyValidation.Name(update.Name, nameof(update));
        if (update.Scopes is not null)
        {
            ApiKeyValidation.Scopes(update.Scopes, nameof(update));
        }

        ApiKeyValidation.Metadata(update.Metadata, nameof(update));
        if (update.AllowedNetworks is not null)
        {
            ApiKeyValidation.Networks(update.AllowedNetworks, nameof(update));
        }

        if (update is { Name: null, Scopes: null, Metadata: null, AllowedNetworks: null })
        {
            // Nothing to change: no write, no new version, no cache invalidation.
            return await GetAsync(id, cancellationToken).ConfigureAwait(false);
        }

        // Copied once, so the caller's collections changing later cannot reach the store or the cache.
        var name = update.Name;
        var scopes = update.Scopes?.Distinct(StringComparer.Ordinal).ToArray();
        var metadata = update.Metadata is null ? null : new Dictionary<string, string>(update.Metadata, StringComparer.Ordinal);
        var networks = update.AllowedNetworks?.ToArray();

        // Each value replaces the stored one, so applying the change again to a record another writer changed
        // meanwhile keeps that writer's other fields (ChangeAsync retries on a version conflict).
        ApiKeyRecord? written = null;
        var done = await ChangeAsync(
            id,
            r => written = r with
            {
                Name = name is null ? r.Name : name.Length == 0 ? null : name,
                Scopes = scopes ?? r.Scopes,
                Metadata = metadata ?? r.Metadata,
                AllowedNetworks = networks ?? r.AllowedNetworks,
            },
            cancellationToken).ConfigureAwait(false);
        if (!done)
        {
            return null;
        }

        ApiKeysLog.Updated(_logger, id);

        // Read back: the store keeps a revocation and the newest last-used time that the change was made without.
        return (await _store.FindByIdAsync(id, cancellationToken).ConfigureAwait(false))?.Record ?? written;
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var gate = LockFor(id);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var existing = await _store.FindByIdAsync(id, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                return false;
            }

            // Revocation is permanent (stores keep it through any later update), so the check cannot go stale
            // between this read and the delete.
            if (existing.Record.RevokedAt is null)
            {
                throw new InvalidOperationException($"API key '{id}' is not revoked and cannot be deleted: call RevokeAsync(\"{id}\") first, then DeleteAsync. Deleting is only for keys that no longer work.");
            }

            var deleted = await _store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
            await _lookup.InvalidateAsync(existing.Hash, cancellationToken).ConfigureAwait(false);
            if (deleted)
            {
                ApiKeysLog.Deleted(_logger, id);
            }

            return deleted;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var done = await ChangeAsync(id, r => r.RevokedAt is null ? r with { RevokedAt = now } : r, cancellationToken).ConfigureAwait(false);
        if (done)
        {
            ApiKeysLog.Revoked(_logger, id);
        }

        return done;
    }

    public async Task<bool> DisableAsync(string id, CancellationToken cancellationToken = default)
    {
        var done = await ChangeAsync(id, r => r with { IsDisabled = true }, cancellationToken).ConfigureAwait(false);
        if (done)
        {
            ApiKeysLog.Disabled(_logger, id);
        }

        return done;
    }

    public async Task<bool> EnableAsync(string id, CancellationToken cancellationToken = default)
    {
        var done = await ChangeAsync(id, r => r with { IsDisabled = false }, cancellationToken).ConfigureAwait(false);
        if (done)
        {
            ApiKeysLog.Enabled(_logger, id);
        }

        return done;
    }

    public async Task<bool> SetExpiryAsync(string id, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        var done = await ChangeAsync(id, r => r with { ExpiresAt = expiresAt }, cancellationToken).ConfigureAwait(false);
        if (done)
        {
            ApiKeysLog.ExpirySet(_logger, id, expiresAt);
        }

        return done;
    }

    private async Task<CreatedApiKey> StoreNewKeyAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        var key = ApiKeyFormat.Generate(record.Prefix);
        var stored = new StoredApiKey { Record = record, Hash = HashOf(key) };
        await _store.CreateAsync(stored, cancellationToken).ConfigureAwait(false);

        // A negative lookup of this hash cannot be cached (the key did not exist), but be safe after re-creates.
        await _lookup.InvalidateAsync(stored.Hash, cancellationToken).ConfigureAwait(false);
        return new CreatedApiKey { Key = key, Record = record };
    }

    private async Task<bool> ChangeAsync(string id, Func<ApiKeyRecord, ApiKeyRecord> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var gate = LockFor(id);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var existing = await _store.FindByIdAsync(id, cancellationToken).ConfigureAwait(false);
                if (existing is null)
                {
                    return false;
                }

                bool updated;
                try
                {
                    // Written only if the key is still the version read: a change another node made meanwhile is
                    // never overwritten. Each manager operation sets one thing, so it is safe to apply it again to
                    // the fresh record.
                    updated = await _store.UpdateAsync(change(existing.Record), existing.Version, cancellationToken).ConfigureAwait(false);
                }
                catch (ApiKeyConcurrencyException) when (attempt < MaxAttempts)
                {
                    ApiKeysLog.ConcurrentChange(_logger, id, attempt);
                    continue;
                }

                await _lookup.InvalidateAsync(existing.Hash, cancellationToken).ConfigureAwait(false);
                return updated;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private static SemaphoreSlim[] CreateLocks(int count)
    {
        var locks = new SemaphoreSlim[count];
        for (var i = 0; i < count; i++)
        {
            locks[i] = new SemaphoreSlim(1, 1);
        }

        return locks;
    }

    private SemaphoreSlim LockFor(string id) => _keyLocks[(int)((uint)StringComparer.Ordinal.GetHashCode(id) % (uint)_keyLocks.Length)];

    private string HashOf(string key)
    {
        Span<byte> hash = stackalloc byte[ApiKeyHasher.HashSize];
        _hasher.Hash(key, hash);
        return Hex.ToLower(hash);
    }

    private static string NewId() => "key_" + RandomNumberGenerator.GetString(Base62.Alphabet, IdRandomLength);

    private static void Validate(ApiKeyCreateRequest request)
    {
        ApiKeyValidation.Owner(request.Owner, nameof(request));
        ApiKeyValidation.Name(request.Name, nameof(request));
        ApiKeyValidation.Scopes(request.Scopes, nameof(request));
        ApiKeyValidation.Metadata(request.Metadata, nameof(request));
        ApiKeyValidation.Networks(request.AllowedNetworks, nameof(request));
    }
}
