using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Strata.ApiKeys.Internal;

internal sealed partial class ApiKeyManager : IApiKeyManager
{
    private const int IdRandomLength = 16;

    /// <summary>Page size used when <c>ListAsync(owner)</c> reads every key.</summary>
    private const int ListAllPageSize = 500;
    private const int MaxOwnerLength = 256;
    private const int MaxNameLength = 256;
    private const int MaxScopeLength = 128;

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
        Log.Created(_logger, record.Id, record.Owner);
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

    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var done = await ChangeAsync(id, r => r.RevokedAt is null ? r with { RevokedAt = now } : r, cancellationToken).ConfigureAwait(false);
        if (done)
        {
            Log.Revoked(_logger, id);
        }

        return done;
    }

    public async Task<bool> DisableAsync(string id, CancellationToken cancellationToken = default)
    {
        var done = await ChangeAsync(id, r => r with { IsDisabled = true }, cancellationToken).ConfigureAwait(false);
        if (done)
        {
            Log.Disabled(_logger, id);
        }

        return done;
    }

    public async Task<bool> EnableAsync(string id, CancellationToken cancellationToken = default)
    {
        var done = await ChangeAsync(id, r => r with { IsDisabled = false }, cancellationToken).ConfigureAwait(false);
        if (done)
        {
            Log.Enabled(_logger, id);
        }

        return done;
    }

    public async Task<bool> SetExpiryAsync(string id, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        var done = await ChangeAsync(id, r => r with { ExpiresAt = expiresAt }, cancellationToken).ConfigureAwait(false);
        if (done)
        {
            Log.ExpirySet(_logger, id, expiresAt);
        }

        return done;
    }

    public async Task<CreatedApiKey?> RotateAsync(string id, TimeSpan overlap, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThan(overlap, TimeSpan.Zero);
        var gate = LockFor(id);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RotateLockedAsync(id, overlap, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<CreatedApiKey?> RotateLockedAsync(string id, TimeSpan overlap, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var existing = await _store.FindByIdAsync(id, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                return null;
            }

            var old = existing.Record;
            var now = _time.GetUtcNow();
            ThrowIfNotRotatable(old, now);

            // Rotation replaces the secret and nothing else: the successor has the same owner, scopes, allow-list and
            // expiry, and a disabled key's successor starts disabled (enable it when the holder may have access again).
            var replacement = old with
            {
                Id = NewId(),
                CreatedAt = now,
                LastUsedAt = null,
                ReplacedById = null,
                Prefix = string.IsNullOrEmpty(old.Prefix) ? _prefixes.Default : old.Prefix,
            };
            var created = await StoreNewKeyAsync(replacement, cancellationToken).ConfigureAwait(false);

            var endOfOverlap = now + overlap;
            var retired = old with
            {
                ReplacedById = replacement.Id,
                ExpiresAt = old.ExpiresAt is { } expiry && expiry < endOfOverlap ? expiry : endOfOverlap,
            };
            try
            {
                // Only if nobody changed the old key since it was read: two nodes rotating one key at once must not
                // both hand out a working successor.
                await _store.UpdateAsync(retired, existing.Version, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiKeyConcurrencyException) when (attempt < MaxAttempts)
            {
                // The successor was never handed out: revoke it (nobody knows its secret), then look again; the
                // other writer may have rotated or revoked the key, which the next pass reports.
                await _store.UpdateAsync(replacement with { RevokedAt = now }, expectedVersion: null, CancellationToken.None).ConfigureAwait(false);
                Log.ConcurrentChange(_logger, id, attempt);
                continue;
            }
            catch (ApiKeyConcurrencyException)
            {
                await _store.UpdateAsync(replacement with { RevokedAt = now }, expectedVersion: null, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            await _lookup.InvalidateAsync(existing.Hash, cancellationToken).ConfigureAwait(false);
            Log.Rotated(_logger, id, replacement.Id, retired.ExpiresAt!.Value);
            return created;
        }
    }

    private static void ThrowIfNotRotatable(ApiKeyRecord key, DateTimeOffset now)
    {
        if (key.RevokedAt is not null)
        {
            throw new ApiKeyRotationException(key.Id, ApiKeyRotationRefusal.Revoked, $"API key '{key.Id}' is revoked and cannot be rotated: revocation is final. Create a new key instead.");
        }

        if (key.ReplacedById is { } successor)
        {
            // A second rotation would branch the key into two live successors and could give a rotated-out key
            // (even one whose overlap ended) a fresh working replacement.
            throw new ApiKeyRotationException(
                key.Id,
                ApiKeyRotationRefusal.AlreadyRotated,
                $"API key '{key.Id}' was already rotated to '{successor}': rotate that key instead, or set this key's expiry to end the overlap sooner.",
                successor);
        }

        if (key.ExpiresAt is { } expiry && expiry <= now)
        {
            throw new ApiKeyRotationException(
                key.Id,
                ApiKeyRotationRefusal.Expired,
                $"API key '{key.Id}' expired at {expiry:O} and cannot be rotated: a successor would bring back access that has ended. Create a new key, or extend this key's expiry first.");
        }
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
                    Log.ConcurrentChange(_logger, id, attempt);
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
        if (string.IsNullOrWhiteSpace(request.Owner) || request.Owner.Length > MaxOwnerLength)
        {
            throw new ArgumentException($"Owner is required and at most {MaxOwnerLength} characters.", nameof(request));
        }

        if (request.Name is { Length: > MaxNameLength })
        {
            throw new ArgumentException($"Name is at most {MaxNameLength} characters.", nameof(request));
        }

        foreach (var scope in request.Scopes)
        {
            if (string.IsNullOrEmpty(scope) || scope.Length > MaxScopeLength || scope.Any(char.IsWhiteSpace) || scope.Any(char.IsControl))
            {
                throw new ArgumentException($"Scope '{scope}' is not valid: a scope is 1 to {MaxScopeLength} characters without whitespace or control characters.", nameof(request));
            }
        }

        foreach (var network in request.AllowedNetworks)
        {
            if (network is null || !AddressAllowList.IsValidEntry(network))
            {
                throw new ArgumentException($"AllowedNetworks entry '{network}' is not an IP address or CIDR network (for example 10.0.0.0/8).", nameof(request));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Information, "API key {KeyId} created for owner {Owner}.", EventName = "KeyCreated")]
        public static partial void Created(ILogger logger, string keyId, string owner);

        [LoggerMessage(21, LogLevel.Information, "API key {KeyId} revoked.", EventName = "KeyRevoked")]
        public static partial void Revoked(ILogger logger, string keyId);

        [LoggerMessage(22, LogLevel.Information, "API key {KeyId} disabled.", EventName = "KeyDisabled")]
        public static partial void Disabled(ILogger logger, string keyId);

        [LoggerMessage(23, LogLevel.Information, "API key {KeyId} enabled.", EventName = "KeyEnabled")]
        public static partial void Enabled(ILogger logger, string keyId);

        [LoggerMessage(24, LogLevel.Information, "API key {KeyId} expiry set to {ExpiresAt}.", EventName = "KeyExpirySet")]
        public static partial void ExpirySet(ILogger logger, string keyId, DateTimeOffset? expiresAt);

        [LoggerMessage(25, LogLevel.Information, "API key {KeyId} rotated to {NewKeyId}; the old key works until {ExpiresAt}.", EventName = "KeyRotated")]
        public static partial void Rotated(ILogger logger, string keyId, string newKeyId, DateTimeOffset expiresAt);

        [LoggerMessage(26, LogLevel.Information, "API key {KeyId} was changed by another writer during attempt {Attempt}; reading it again.", EventName = "KeyConcurrentChange")]
        public static partial void ConcurrentChange(ILogger logger, string keyId, int attempt);
    }
}
