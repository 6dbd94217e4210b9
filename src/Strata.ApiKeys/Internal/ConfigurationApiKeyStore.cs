using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// Reads keys (hashes only) from a configuration section keyed by key id, and reloads when the configuration
/// changes. Read-only: create, update and delete throw <see cref="NotSupportedException"/>.
/// </summary>
internal sealed partial class ConfigurationApiKeyStore : IApiKeyStore, IDisposable
{
    private readonly IConfiguration _section;
    private readonly ILogger<ConfigurationApiKeyStore> _logger;
    private readonly IDisposable _reloadRegistration;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastUsed = new(StringComparer.Ordinal);
    private volatile Snapshot _snapshot;

    public ConfigurationApiKeyStore(IConfiguration section, ILogger<ConfigurationApiKeyStore> logger)
    {
        _section = section;
        _logger = logger;
        _snapshot = Load(section); // a bad configuration fails here, at start-up (see ConfigurationStoreStartupCheck)
        _reloadRegistration = ChangeToken.OnChange(section.GetReloadToken, Reload);
    }

    public int Count => _snapshot.ById.Count;

    /// <summary>
    /// Raised after a successful reload with the hashes of the previous and the new snapshot, so cached lookups of
    /// keys that were removed, revoked, changed or added in configuration are dropped at once instead of living out
    /// their cache time.
    /// </summary>
    public event Func<IReadOnlyCollection<string>, Task>? Reloaded;

    public Task<StoredApiKey?> FindByHashAsync(string hash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return Task.FromResult(_snapshot.ByHash.TryGetValue(hash, out var key) ? WithLastUsed(key) : null);
    }

    public Task<StoredApiKey?> FindByIdAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Task.FromResult(_snapshot.ById.TryGetValue(id, out var key) ? WithLastUsed(key) : null);
    }

    public Task<IReadOnlyList<StoredApiKey>> ListAsync(ApiKeyStoreQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        IReadOnlyList<StoredApiKey> list = ApiKeyOrder.Page(_snapshot.ById.Values, query).Select(WithLastUsed).ToList();
        return Task.FromResult(list);
    }

    public Task CreateAsync(StoredApiKey key, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("The configuration API-key store is read-only: add keys to the configuration instead.");

    public Task<bool> UpdateAsync(ApiKeyRecord record, long? expectedVersion = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("The configuration API-key store is read-only: change the key in the configuration instead.");

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("The configuration API-key store is read-only: remove the key from the configuration instead.");

    public Task RecordLastUsedAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUsed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lastUsed);
        foreach (var (id, usedAt) in lastUsed)
        {
            if (_snapshot.ById.ContainsKey(id))
            {
                _lastUsed.AddOrUpdate(id, static (_, candidate) => candidate, static (_, existing, candidate) => candidate > existing ? candidate : existing, usedAt);
            }
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _reloadRegistration.Dispose();

    private StoredApiKey WithLastUsed(StoredApiKey key)
        => _lastUsed.TryGetValue(key.Record.Id, out var usedAt)
            ? new StoredApiKey { Record = key.Record with { LastUsedAt = usedAt }, Hash = key.Hash }
            : key;

    private void Reload()
    {
        Snapshot previous;
        try
        {
            previous = _snapshot;
            _snapshot = Load(_section);
            ApiKeysLog.Reloaded(_logger, _snapshot.ById.Count);
        }
        catch (InvalidOperationException ex)
        {
            ApiKeysLog.ReloadFailed(_logger, ex.Message);
            return;
        }

        if (Reloaded is { } reloaded)
        {
            // Old hashes (removed, revoked, changed) and new ones (a key added after it was cached as unknown).
            var hashes = new HashSet<string>(previous.ByHash.Keys, StringComparer.Ordinal);
            hashes.UnionWith(_snapshot.ByHash.Keys);
            _ = NotifyAsync(reloaded, hashes);
        }
    }

    private async Task NotifyAsync(Func<IReadOnlyCollection<string>, Task> reloaded, IReadOnlyCollection<string> hashes)
    {
        try
        {
            await reloaded(hashes).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ApiKeysLog.InvalidationFailed(_logger, ex);
        }
    }

    private static Snapshot Load(IConfiguration section)
    {
        var byId = new Dictionary<string, StoredApiKey>(StringComparer.Ordinal);
        var byHash = new Dictionary<string, StoredApiKey>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var child in section.GetChildren())
        {
            var id = child.Key;
            var key = Parse(id, child, errors);
            if (key is null)
            {
                continue;
            }

            if (!byHash.TryAdd(key.Hash, key))
            {
                errors.Add($"API key '{id}': the same Hash is configured for key '{byHash[key.Hash].Record.Id}'.");
                continue;
            }

            byId.Add(id, key);
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("The API-key configuration is invalid: " + string.Join(" ", errors));
        }

        return new Snapshot(byId, byHash);
    }

    private static StoredApiKey? Parse(string id, IConfigurationSection entry, List<string> errors)
    {
        var before = errors.Count;
        var owner = entry["Owner"];
        if (string.IsNullOrWhiteSpace(owner))
        {
            errors.Add($"API key '{id}': Owner is required.");
        }

        Span<byte> hashBytes = stackalloc byte[ApiKeyHasher.HashSize];
        var hash = entry["Hash"];
        if (!Hex.TryDecode(hash, hashBytes))
        {
            // The value itself is never echoed: it is secret-derived.
            errors.Add($"API key '{id}': Hash must be 64 hex characters (SHA-256 or HMAC-SHA256 of the key).");
        }

        var expiresAt = ParseTime(id, entry, "ExpiresAt", errors);
        var revokedAt = ParseTime(id, entry, "RevokedAt", errors);
        var createdAt = ParseTime(id, entry, "CreatedAt", errors);
        var disabled = false;
        if (entry["Disabled"] is { } disabledText && !bool.TryParse(disabledText, out disabled))
        {
            errors.Add($"API key '{id}': Disabled must be true or false.");
        }

        var networks = Values(entry.GetSection("AllowedNetworks"));
        foreach (var network in networks)
        {
            if (!AddressAllowList.IsValidEntry(network))
            {
                errors.Add($"API key '{id}': AllowedNetworks entry '{network}' is not an IP address or CIDR network.");
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        var metadata = entry.GetSection("Metadata").GetChildren()
            .Where(c => c.Value is not null)
            .ToDictionary(c => c.Key, c => c.Value!, StringComparer.Ordinal);

        return new StoredApiKey
        {
            Hash = Hex.ToLower(hashBytes),
            Record = new ApiKeyRecord
            {
                Id = id,
                Owner = owner!,
                Name = entry["Name"],
                Prefix = entry["Prefix"] ?? string.Empty,
                Scopes = Values(entry.GetSection("Scopes")),
                Metadata = metadata,
                AllowedNetworks = networks,
                CreatedAt = createdAt ?? default,
                ExpiresAt = expiresAt,
                RevokedAt = revokedAt,
                IsDisabled = disabled,
            },
        };
    }

    private static string[] Values(IConfigurationSection section)
    {
        // Either an array (children) or one space-separated string.
        var children = section.GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).ToArray();
        if (children.Length > 0)
        {
            return children;
        }

        return section.Value?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
    }

    private static DateTimeOffset? ParseTime(string id, IConfigurationSection entry, string name, List<string> errors)
    {
        var text = entry[name];
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            return value;
        }

        errors.Add($"API key '{id}': {name} '{text}' is not a date and time (use ISO 8601, for example 2027-01-01T00:00:00Z).");
        return null;
    }

    private sealed record Snapshot(Dictionary<string, StoredApiKey> ById, Dictionary<string, StoredApiKey> ByHash);
}
