namespace Strata.ApiKeys.Internal;

/// <summary>Keeps keys in process memory. Lost on restart: for tests, demos and single-node hosts that seed keys on start.</summary>
internal sealed class InMemoryApiKeyStore : IApiKeyStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, StoredApiKey> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _idByHash = new(StringComparer.Ordinal);

    public Task<StoredApiKey?> FindByHashAsync(string hash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hash);
        lock (_gate)
        {
            return Task.FromResult(_idByHash.TryGetValue(hash, out var id) ? _byId[id] : null);
        }
    }

    public Task<StoredApiKey?> FindByIdAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_gate)
        {
            return Task.FromResult(_byId.GetValueOrDefault(id));
        }
    }

    public Task<IReadOnlyList<StoredApiKey>> ListAsync(ApiKeyStoreQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_gate)
        {
            // A scan and a sort per page: fine for the sizes this store is meant for (tests, demos, seeded keys).
            IReadOnlyList<StoredApiKey> list = ApiKeyOrder.Page(_byId.Values, query);
            return Task.FromResult(list);
        }
    }

    public Task CreateAsync(StoredApiKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            if (_byId.ContainsKey(key.Record.Id) || _idByHash.ContainsKey(key.Hash))
            {
                throw new InvalidOperationException($"An API key with id '{key.Record.Id}' or the same hash already exists.");
            }

            _byId.Add(key.Record.Id, new StoredApiKey { Record = key.Record, Hash = key.Hash, Version = 1 });
            _idByHash.Add(key.Hash, key.Record.Id);
        }

        return Task.CompletedTask;
    }

    public Task<bool> UpdateAsync(ApiKeyRecord record, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            if (!_byId.TryGetValue(record.Id, out var existing))
            {
                return Task.FromResult(false);
            }

            if (expectedVersion is { } expected && expected != existing.Version)
            {
                throw new ApiKeyConcurrencyException(record.Id, expected);
            }

            _byId[record.Id] = new StoredApiKey
            {
                Record = ApiKeyRecordMerge.KeepMonotonicFields(existing.Record, record),
                Hash = existing.Hash,
                Version = existing.Version + 1,
            };
            return Task.FromResult(true);
        }
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_gate)
        {
            if (!_byId.Remove(id, out var existing))
            {
                return Task.FromResult(false);
            }

            _idByHash.Remove(existing.Hash);
            return Task.FromResult(true);
        }
    }

    public Task RecordLastUsedAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUsed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lastUsed);
        lock (_gate)
        {
            foreach (var (id, usedAt) in lastUsed)
            {
                if (_byId.TryGetValue(id, out var existing) && (existing.Record.LastUsedAt is null || existing.Record.LastUsedAt < usedAt))
                {
                    _byId[id] = new StoredApiKey { Record = existing.Record with { LastUsedAt = usedAt }, Hash = existing.Hash, Version = existing.Version };
                }
            }
        }

        return Task.CompletedTask;
    }
}
