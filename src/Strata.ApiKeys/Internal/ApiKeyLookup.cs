using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// Finds keys by hash: HybridCache first, the store on a miss. Freshness is judged by TimeProvider, not by the cache's
/// own clock. While HybridCache's distributed layer is out of reach (<see cref="DistributedCacheHealth"/>), lookups
/// skip it.
/// </summary>
internal sealed class ApiKeyLookup : IDisposable
{
    private readonly IApiKeyStore _store;
    private readonly HybridCache _cache;
    private readonly ApiKeyHasher _hasher;
    private readonly TimeProvider _time;
    private readonly ApiKeyDiagnostics _diagnostics;
    private readonly IOptionsMonitor<ApiKeysOptions> _options;
    private readonly DistributedCacheHealth _health;
    private readonly LookupEntryOptions _entryOptions = new();

    /// <summary>The most entries kept in the local front (only keys whose lookup found a record); one is about 150 bytes.</summary>
    internal const int MaxLocalEntries = 10_000;

    /// <summary>
    /// The local front: cache key to the entry HybridCache returned, for keys whose lookup found a record. A hit here
    /// skips HybridCache altogether (and, on .NET 9+, the cache-key string: it is found from the characters on the
    /// stack). It follows the same rules as HybridCache's own memory layer: an entry is used while younger than
    /// <see cref="ApiKeysOptions.CacheDuration"/> and dropped by <see cref="InvalidateAsync"/>.
    /// </summary>
    private readonly ConcurrentDictionary<string, CachedApiKey> _local = new(StringComparer.Ordinal);
#if NET9_0_OR_GREATER
    private readonly ConcurrentDictionary<string, CachedApiKey>.AlternateLookup<ReadOnlySpan<char>> _localLookup;
#endif

    /// <summary>Counts invalidations, so an entry read before one is not put back into the local front after it.</summary>
    private long _invalidations;

    public ApiKeyLookup(
        IApiKeyStore store,
        HybridCache cache,
        ApiKeyHasher hasher,
        TimeProvider time,
        ApiKeyDiagnostics diagnostics,
        IOptionsMonitor<ApiKeysOptions> options,
        IDistributedCache? distributedCache = null,
        ILoggerFactory? loggerFactory = null)
    {
        _health = new DistributedCacheHealth(distributedCache, time, loggerFactory?.CreateLogger("Strata.ApiKeys.DistributedCache"));
        _store = store;
        _hasher = hasher;
        _cache = cache;
        _time = time;
        _diagnostics = diagnostics;
        _options = options;
#if NET9_0_OR_GREATER
        _localLookup = _local.GetAlternateLookup<ReadOnlySpan<char>>();
#endif
        if (store is ConfigurationApiKeyStore configuration)
        {
            configuration.Reloaded += InvalidateAllAsync;
        }
    }

    /// <summary>
    /// Finds the record of a well-formed key. A key that validated recently is answered from the local front
    /// synchronously: one SHA-256 on the stack, one dictionary probe, a freshness check, and on .NET 9 or later no
    /// allocation. Otherwise HybridCache (memory, then the distributed cache), then the store.
    /// </summary>
    public ValueTask<ApiKeyRecord?> FindAsync(string key, CancellationToken cancellationToken)
        => FindAsync(key, memo: null, scheme: string.Empty, cancellationToken);

    /// <summary>
    /// As <see cref="FindAsync(string, CancellationToken)"/>, and when a record is found, remembers the key and its
    /// entry in <paramref name="memo"/> (the connection's, for <paramref name="scheme"/>) for <see cref="TryReuse"/>.
    /// </summary>
    public ValueTask<ApiKeyRecord?> FindAsync(string key, ConnectionKeyMemo? memo, string scheme, CancellationToken cancellationToken)
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
        var invalidations = Volatile.Read(ref _invalidations);
#if NET9_0_OR_GREATER
        if (_localLookup.TryGetValue(chars, out var cacheKey, out var local))
#else
        var cacheKey = new string(chars);
        if (_local.TryGetValue(cacheKey, out var local))
#endif
        {
            if (_time.GetUtcNow() - local.LoadedAt < options.CacheDuration)
            {
                memo?.Remember(key, local, invalidations, scheme);
                return new ValueTask<ApiKeyRecord?>(local.Record);
            }

            return FindCachedAsync(cacheKey, key, options, invalidations, memo, scheme, cancellationToken);
        }

#if NET9_0_OR_GREATER
        cacheKey = new string(chars);
#endif
        return FindCachedAsync(cacheKey, key, options, invalidations, memo, scheme, cancellationToken);
    }

    /// <summary>
    /// The cached answer for a well-formed key, never asking the store: <c>Cached</c> is false when neither the local
    /// front nor HybridCache (memory, then the distributed cache) holds a fresh entry. A fresh entry may say "unknown"
    /// (<c>Record</c> null). Used for clients the brute-force guard has blocked, whose store lookups are rationed.
    /// </summary>
    public async ValueTask<(bool Cached, ApiKeyRecord? Record)> FindCachedOnlyAsync(string key, ConnectionKeyMemo? memo, string scheme, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        if (options.CacheDuration <= TimeSpan.Zero)
        {
            return (false, null);
        }

        var cacheKey = CacheKeyOf(key);
        var invalidations = Volatile.Read(ref _invalidations);
        var entry = _local.TryGetValue(cacheKey, out var local) ? local : await _health.RunAsync(
            _cache.GetOrCreateAsync(
                cacheKey,
                static _ => ValueTask.FromResult<CachedApiKey>(null!),
                _health.IsDown ? LookupEntryOptions.PeekLocal : LookupEntryOptions.Peek,
                tags: null,
                cancellationToken),
            onDown: () => _cache.GetOrCreateAsync(cacheKey, static _ => ValueTask.FromResult<CachedApiKey>(null!), LookupEntryOptions.PeekLocal, tags: null, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return (false, null);
        }

        var age = _time.GetUtcNow() - entry.LoadedAt;
        if (age >= (entry.Record is null ? options.NegativeCacheDuration : options.CacheDuration))
        {
            return (false, null);
        }

        if (entry.Record is not null)
        {
            memo?.Remember(key, entry, invalidations, scheme);
        }

        return (true, entry.Record);
    }

    private string CacheKeyOf(string key)
    {
        Span<byte> hash = stackalloc byte[ApiKeyHasher.HashSize];
        _hasher.Hash(key, hash);
        Span<char> chars = stackalloc char[ApiKeyHasher.CacheKeyLength];
        ApiKeyHasher.WriteCacheKey(hash, chars);
        CryptographicOperations.ZeroMemory(hash);
        return new string(chars);
    }

    /// <summary>
    /// The connection's remembered key, when it is the presented one and still usable under the local front's rules:
    /// younger than <see cref="ApiKeysOptions.CacheDuration"/> at <paramref name="now"/>, and no invalidation on this
    /// node since it was found. No hash, no dictionary probe, no allocation.
    /// </summary>
    public bool TryReuse(ConnectionKeyMemo memo, string key, DateTimeOffset now, [NotNullWhen(true)] out ConnectionKeyMemo.Snapshot? snapshot)
    {
        snapshot = memo.Current;
        if (snapshot is null
            || snapshot.Invalidations != Volatile.Read(ref _invalidations)
            || now - snapshot.Entry.LoadedAt >= _options.CurrentValue.CacheDuration
            || !ConnectionKeyMemo.Same(snapshot.Key, key))
        {
            snapshot = null;
            return false;
        }

        return true;
    }

    /// <summary>The number of entries in the local front (only keys whose lookup found a record; bounded).</summary>
    internal int LocalEntryCount => _local.Count;

    /// <summary>Keeps a found record's entry in the local front, unless an invalidation happened since the lookup began.</summary>
    private void Remember(string cacheKey, CachedApiKey entry, long invalidations)
    {
        // Only keys with a record are kept, so unknown keys (a guessing client) never grow the table. When it is
        // full it starts over: a host with more live keys than the bound goes through HybridCache for some of them.
        if (entry.Record is null)
        {
            return;
        }

        if (_local.Count >= MaxLocalEntries && !_local.ContainsKey(cacheKey))
        {
            _local.Clear();
        }

        _local[cacheKey] = entry;
        if (Volatile.Read(ref _invalidations) != invalidations)
        {
            // A revoke, rotate or reload ran meanwhile: the entry may predate it. Leave the key to HybridCache.
            _local.TryRemove(new KeyValuePair<string, CachedApiKey>(cacheKey, entry));
        }
    }

    private async ValueTask<ApiKeyRecord?> LoadRecordAsync(string key, CancellationToken cancellationToken)
        => (await LoadAsync(key, cancellationToken).ConfigureAwait(false)).Record;

    private async ValueTask<ApiKeyRecord?> FindCachedAsync(string cacheKey, string key, ApiKeysOptions options, long invalidations, ConnectionKeyMemo? memo, string scheme, CancellationToken cancellationToken)
    {
        var pending = GetOrLoadAsync(cacheKey, key, options, _health.Flags, cancellationToken);
        var entry = pending.IsCompleted
            ? await pending.ConfigureAwait(false)   // a memory hit: no closure for the guard
            : await GuardedAsync(pending, cacheKey, key, options, cancellationToken).ConfigureAwait(false);

        var age = _time.GetUtcNow() - entry.LoadedAt;
        if (age >= (entry.Record is null ? options.NegativeCacheDuration : options.CacheDuration))
        {
            entry = await RefreshAsync(cacheKey, key, options, invalidations, cancellationToken).ConfigureAwait(false);
        }
        else if (entry.TakeWrite())
        {
            entry = await WriteAsync(cacheKey, entry, options, invalidations, cancellationToken).ConfigureAwait(false);
        }

        Remember(cacheKey, entry, invalidations);
        if (entry.Record is not null)
        {
            memo?.Remember(key, entry, invalidations, scheme);
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

        return ForgetAsync(ApiKeyHasher.CacheKeyFor(hash), cancellationToken);
    }

    private async ValueTask ForgetAsync(string cacheKey, CancellationToken cancellationToken)
    {
        _local.TryRemove(cacheKey, out _);

        // HybridCache drops its memory entry at once, then the distributed one: while that layer is down, that
        // second part is left to finish (or fail) in the background.
        var removing = _cache.RemoveAsync(cacheKey, cancellationToken);
        await _health.RunAsync(removing, onDown: null, cancellationToken).ConfigureAwait(false);

        // After the shared cache forgot the entry: a lookup that began before this point may still hold the old
        // entry and must not put it back (see Remember).
        Interlocked.Increment(ref _invalidations);
        _local.TryRemove(cacheKey, out _);
    }

    private async Task InvalidateAllAsync(IReadOnlyCollection<string> storedHashes)
    {
        foreach (var storedHash in storedHashes)
        {
            await InvalidateAsync(storedHash, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async ValueTask<CachedApiKey> RefreshAsync(string cacheKey, string key, ApiKeysOptions options, long invalidations, CancellationToken cancellationToken)
    {
        var fresh = await LoadAsync(key, cancellationToken).ConfigureAwait(false);
        return await WriteAsync(cacheKey, fresh, options, invalidations, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes a store lookup's answer to the caches with its own lifetime, unless an invalidation came since the lookup
    /// began (the answer may then be what was just revoked; this request still gets it, the caches do not).
    /// </summary>
    private async ValueTask<CachedApiKey> WriteAsync(string cacheKey, CachedApiKey loaded, ApiKeysOptions options, long invalidations, CancellationToken cancellationToken)
    {
        var entry = new CachedApiKey { Record = loaded.Record, LoadedAt = loaded.LoadedAt };
        if (Volatile.Read(ref _invalidations) == invalidations)
        {
            await SetAsync(cacheKey, entry, options, cancellationToken).ConfigureAwait(false);
        }

        return entry;
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

        return CachedApiKey.Loaded(record, loadedAt);
    }

    private static bool Matches(string storedHash, ReadOnlySpan<byte> computed)
    {
        Span<byte> stored = stackalloc byte[ApiKeyHasher.HashSize];
        return Hex.TryDecode(storedHash, stored) && CryptographicOperations.FixedTimeEquals(stored, computed);
    }

    public void Dispose() => _health.Dispose();

    /// <remarks>
    /// The cache call does not take the request's token: a client that hangs up mid-lookup must not cancel the load
    /// and cache write other requests for the same key share (HybridCache logs a cancelled write as an error). While
    /// the distributed cache is slow the caller still stops waiting when its request ends (<see cref="DistributedCacheHealth"/>
    /// guards the call); a store lookup runs to its end, as the next request for the key would start it again.
    /// HybridCache does not write what the store returned to the distributed layer: it would do so in the background
    /// after answering, with the found record's lifetime, and could land after the shorter lifetime of an unknown key
    /// written by <see cref="FindCachedAsync"/>, keeping a guessed key in the shared cache for the whole
    /// <see cref="ApiKeysOptions.CacheDuration"/>. <see cref="FindCachedAsync"/> writes a loaded entry once, with its
    /// own lifetime, and only one of the callers that share a store lookup does (<see cref="CachedApiKey.TakeWrite"/>).
    /// </remarks>
    private ValueTask<CachedApiKey> GetOrLoadAsync(string cacheKey, string key, ApiKeysOptions options, HybridCacheEntryFlags flags, CancellationToken cancellationToken)
        => _cache.GetOrCreateAsync(
            cacheKey,
            (Self: this, Key: key),
            static (state, ct) => state.Self.LoadAsync(state.Key, ct),
            _entryOptions.For(options.CacheDuration, unknown: false, flags | HybridCacheEntryFlags.DisableDistributedCacheWrite),
            tags: null,
            CancellationToken.None);

    private ValueTask<CachedApiKey> GuardedAsync(ValueTask<CachedApiKey> pending, string cacheKey, string key, ApiKeysOptions options, CancellationToken cancellationToken)
        => _health.RunAsync(
            pending,
            onDown: () => GetOrLoadAsync(cacheKey, key, options, HybridCacheEntryFlags.DisableDistributedCache, cancellationToken),
            cancellationToken);

    /// <summary>Writes an entry with its lifetime (an unknown key's is the shorter one); memory only while the distributed layer is down.</summary>
    private async ValueTask SetAsync(string cacheKey, CachedApiKey entry, ApiKeysOptions options, CancellationToken cancellationToken)
    {
        var unknown = entry.Record is null;
        var lifetime = unknown ? options.NegativeCacheDuration : options.CacheDuration;
        await _health.RunAsync(
            _cache.SetAsync(cacheKey, entry, _entryOptions.For(lifetime, unknown, _health.Flags), tags: null, CancellationToken.None),   // not cancelled by a client hanging up
            onDown: () => _cache.SetAsync(cacheKey, entry, _entryOptions.For(lifetime, unknown, HybridCacheEntryFlags.DisableDistributedCache), tags: null, CancellationToken.None),
            cancellationToken).ConfigureAwait(false);
    }
}
