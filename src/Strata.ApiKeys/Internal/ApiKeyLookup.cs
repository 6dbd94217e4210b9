using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace Strata.ApiKeys.Internal;

/// <summary>A cached lookup result: the record (null when unknown) and when it was read from the store.</summary>
[ImmutableObject(true)]
internal sealed class CachedApiKey
{
    public ApiKeyRecord? Record { get; init; }

    public DateTimeOffset LoadedAt { get; init; }

    /// <summary>True once a negative entry was re-written with the short negative lifetime.</summary>
    public bool Shortened { get; init; }
}

/// <summary>Finds keys by hash: HybridCache first, the store on a miss. Freshness is judged by TimeProvider, not by the cache's own clock.</summary>
internal sealed class ApiKeyLookup
{
    private readonly IApiKeyStore _store;
    private readonly HybridCache _cache;
    private readonly ApiKeyHasher _hasher;
    private readonly TimeProvider _time;
    private readonly ApiKeyDiagnostics _diagnostics;
    private readonly IOptionsMonitor<ApiKeysOptions> _options;
    private HybridCacheEntryOptions? _entryOptions;
    private HybridCacheEntryOptions? _negativeEntryOptions;

    /// <summary>The most cache-key strings kept for reuse; a string is about 100 bytes.</summary>
    internal const int MaxInternedCacheKeys = 10_000;

    /// <summary>Cache-key strings of keys that validated, so a hit does not allocate one (the value is unused).</summary>
    private readonly ConcurrentDictionary<string, byte> _interned = new(StringComparer.Ordinal);
#if NET9_0_OR_GREATER
    private readonly ConcurrentDictionary<string, byte>.AlternateLookup<ReadOnlySpan<char>> _internedLookup;
#endif

    public ApiKeyLookup(IApiKeyStore store, HybridCache cache, ApiKeyHasher hasher, TimeProvider time, ApiKeyDiagnostics diagnostics, IOptionsMonitor<ApiKeysOptions> options)
    {
        _store = store;
        _hasher = hasher;
        _cache = cache;
        _time = time;
        _diagnostics = diagnostics;
        _options = options;
#if NET9_0_OR_GREATER
        _internedLookup = _interned.GetAlternateLookup<ReadOnlySpan<char>>();
#endif
        if (store is ConfigurationApiKeyStore configuration)
        {
            configuration.Reloaded += InvalidateAllAsync;
        }
    }

    /// <summary>
    /// Finds the record of a well-formed key. On a cache hit this hashes on the stack and, on .NET 9 or later,
    /// allocates nothing (the cache-key string of a key that validated before is reused); on .NET 8 it allocates
    /// the cache-key string. The store path (a miss) hashes again into an array.
    /// </summary>
    public ValueTask<ApiKeyRecord?> FindAsync(string key, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        if (options.CacheDuration <= TimeSpan.Zero)
        {
            return LoadRecordAsync(key, cancellationToken);
        }

        Span<byte> hash = stackalloc byte[ApiKeyHasher.HashSize];
        _hasher.Hash(key, hash);
        Span<char> chars = stackalloc char[ApiKeyHasher.CacheKeyLength];
        ApiKeyHasher.WriteCacheKey(hash, chars);
        CryptographicOperations.ZeroMemory(hash);
#if NET9_0_OR_GREATER
        if (_internedLookup.TryGetValue(chars, out var interned, out _))
        {
            return FindCachedAsync(interned, key, options, cancellationToken);
        }
#endif
        return FindAndInternAsync(new string(chars), key, options, cancellationToken);
    }

    /// <summary>The number of cache-key strings kept for reuse (only keys that validated; bounded).</summary>
    internal int InternedCacheKeyCount => _interned.Count;

    private async ValueTask<ApiKeyRecord?> FindAndInternAsync(string cacheKey, string key, ApiKeysOptions options, CancellationToken cancellationToken)
    {
        var record = await FindCachedAsync(cacheKey, key, options, cancellationToken).ConfigureAwait(false);
#if NET9_0_OR_GREATER
        // Only keys that validated are kept, so unknown keys (a guessing client) never grow the table. When it is
        // full it starts over: a host with more live keys than the bound allocates the string for some of them.
        if (record is not null)
        {
            if (_interned.Count >= MaxInternedCacheKeys)
            {
                _interned.Clear();
            }

            _interned.TryAdd(cacheKey, 0);
        }
#endif
        return record;
    }

    private async ValueTask<ApiKeyRecord?> LoadRecordAsync(string key, CancellationToken cancellationToken)
        => (await LoadAsync(key, cancellationToken).ConfigureAwait(false)).Record;

    private async ValueTask<ApiKeyRecord?> FindCachedAsync(string cacheKey, string key, ApiKeysOptions options, CancellationToken cancellationToken)
    {
        var entry = await _cache.GetOrCreateAsync(
            cacheKey,
            (Self: this, Key: key),
            static (state, ct) => state.Self.LoadAsync(state.Key, ct),
            EntryOptions(options.CacheDuration),
            tags: null,
            cancellationToken).ConfigureAwait(false);

        var age = _time.GetUtcNow() - entry.LoadedAt;
        if (entry.Record is null)
        {
            if (age >= options.NegativeCacheDuration)
            {
                entry = await RefreshAsync(cacheKey, key, options, cancellationToken).ConfigureAwait(false);
            }
            else if (!entry.Shortened)
            {
                entry = new CachedApiKey { LoadedAt = entry.LoadedAt, Shortened = true };
                await _cache.SetAsync(cacheKey, entry, EntryOptions(options.NegativeCacheDuration), tags: null, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (age >= options.CacheDuration)
        {
            entry = await RefreshAsync(cacheKey, key, options, cancellationToken).ConfigureAwait(false);
        }

        return entry.Record;
    }

    /// <summary>Drops the cached lookup of the key with this stored hash (lower-case hex).</summary>
    public ValueTask InvalidateAsync(string storedHash, CancellationToken cancellationToken)
    {
        Span<byte> hash = stackalloc byte[ApiKeyHasher.HashSize];
        if (!Hex.TryDecode(storedHash, hash))
        {
            return ValueTask.CompletedTask;
        }

        var cacheKey = ApiKeyHasher.CacheKeyFor(hash);
        _interned.TryRemove(cacheKey, out _);
        return _cache.RemoveAsync(cacheKey, cancellationToken);
    }

    private async Task InvalidateAllAsync(IReadOnlyCollection<string> storedHashes)
    {
        foreach (var storedHash in storedHashes)
        {
            await InvalidateAsync(storedHash, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async ValueTask<CachedApiKey> RefreshAsync(string cacheKey, string key, ApiKeysOptions options, CancellationToken cancellationToken)
    {
        var fresh = await LoadAsync(key, cancellationToken).ConfigureAwait(false);
        var lifetime = fresh.Record is null ? options.NegativeCacheDuration : options.CacheDuration;
        fresh = fresh.Record is null ? new CachedApiKey { LoadedAt = fresh.LoadedAt, Shortened = true } : fresh;
        await _cache.SetAsync(cacheKey, fresh, EntryOptions(lifetime), tags: null, cancellationToken).ConfigureAwait(false);
        return fresh;
    }

    private async ValueTask<CachedApiKey> LoadAsync(string key, CancellationToken cancellationToken)
    {
        var hash = new byte[ApiKeyHasher.HashSize];
        _hasher.Hash(key, hash);
        using var activity = ApiKeyDiagnostics.ActivitySource.StartActivity("strata.apikeys.store.lookup", ActivityKind.Internal);
        var started = _time.GetTimestamp();
        var loadedAt = _time.GetUtcNow();
        StoredApiKey? stored;
        try
        {
            stored = await _store.FindByHashAsync(Hex.ToLower(hash), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _diagnostics.Lookup(_time.GetElapsedTime(started), found: false, failed: true);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }

        // The store matched by hash (possibly with a case-insensitive collation): confirm in constant time.
        var record = stored is not null && Matches(stored.Hash, hash) ? stored.Record : null;
        _diagnostics.Lookup(_time.GetElapsedTime(started), record is not null, failed: false);
        activity?.SetTag("strata.apikeys.found", record is not null);
        if (record is not null)
        {
            activity?.SetTag("strata.apikeys.key_id", record.Id);
        }

        return new CachedApiKey { Record = record, LoadedAt = loadedAt };
    }

    private static bool Matches(string storedHash, ReadOnlySpan<byte> computed)
    {
        Span<byte> stored = stackalloc byte[ApiKeyHasher.HashSize];
        return Hex.TryDecode(storedHash, stored) && CryptographicOperations.FixedTimeEquals(stored, computed);
    }

    /// <summary>Entry options per lifetime, reused across requests (the hot path allocates none).</summary>
    private HybridCacheEntryOptions EntryOptions(TimeSpan lifetime)
    {
        var cached = _entryOptions;
        if (cached is not null && cached.Expiration == lifetime)
        {
            return cached;
        }

        var negative = _negativeEntryOptions;
        if (negative is not null && negative.Expiration == lifetime)
        {
            return negative;
        }

        var created = new HybridCacheEntryOptions { Expiration = lifetime, LocalCacheExpiration = lifetime };
        if (lifetime == _options.CurrentValue.NegativeCacheDuration)
        {
            _negativeEntryOptions = created;
        }
        else
        {
            _entryOptions = created;
        }

        return created;
    }
}
