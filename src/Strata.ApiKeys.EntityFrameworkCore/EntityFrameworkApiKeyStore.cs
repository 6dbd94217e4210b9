using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.EntityFrameworkCore;

/// <summary>
/// An <see cref="IApiKeyStore"/> over the host's own <typeparamref name="TContext"/>. A singleton: each operation
/// uses a short-lived context from <see cref="IDbContextFactory{TContext}"/> when one is registered, else from a new scope.
/// </summary>
internal sealed class EntityFrameworkApiKeyStore<TContext> : IApiKeyStore
    where TContext : DbContext
{
    private const int MaxAttempts = 5;
    private static readonly char[] Space = [' '];
    private readonly IServiceProvider _services;
    private readonly IServiceScopeFactory _scopes;
    private readonly SchemaCheck<TContext> _schema = new();

    public EntityFrameworkApiKeyStore(IServiceProvider services, IServiceScopeFactory scopes)
    {
        _services = services;
        _scopes = scopes;
    }

    public Task<StoredApiKey?> FindByHashAsync(string hash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return UseAsync(async db =>
        {
            var row = await db.Set<ApiKeyEntity>().AsNoTracking().FirstOrDefaultAsync(e => e.Hash == hash, cancellationToken).ConfigureAwait(false);
            return row is null ? null : ToStored(row);
        }, cancellationToken);
    }

    public Task<StoredApiKey?> FindByIdAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return UseAsync(async db =>
        {
            var row = await db.Set<ApiKeyEntity>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken).ConfigureAwait(false);
            return row is null ? null : ToStored(row);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<StoredApiKey>> ListAsync(ApiKeyStoreQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        return UseAsync<IReadOnlyList<StoredApiKey>>(async db =>
        {
            await FillListOrderAsync(db, cancellationToken).ConfigureAwait(false);
            var rows = db.Set<ApiKeyEntity>().AsNoTracking();
            if (query.Owner is { } owner)
            {
                rows = rows.Where(e => e.Owner == owner);
            }

            if (query.AfterCreatedAt is { } afterCreatedAt)
            {
                // Keyset: one index range scan from the last key seen, however deep the page.
                var ticks = afterCreatedAt.UtcTicks;
                var id = query.AfterId ?? string.Empty;
                rows = rows.Where(e => e.CreatedAtUtcTicks > ticks || (e.CreatedAtUtcTicks == ticks && string.Compare(e.Id, id) > 0));
            }

            var page = await rows.OrderBy(e => e.CreatedAtUtcTicks).ThenBy(e => e.Id).Take(query.Limit)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return page.Select(ToStored).ToList();
        }, cancellationToken);
    }

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return UseAsync(async db =>
        {
            var set = db.Set<ApiKeyEntity>();
            for (var attempt = 1; ; attempt++)
            {
                var row = await set.FirstOrDefaultAsync(e => e.Id == id, cancellationToken).ConfigureAwait(false);
                if (row is null)
                {
                    return false;
                }

                set.Remove(row);
                try
                {
                    // DELETE ... WHERE Id = @id AND Version = @read.
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (DbUpdateConcurrencyException) when (attempt < MaxAttempts)
                {
                    // Another writer changed or removed the row since it was read: look again.
                    db.ChangeTracker.Clear();
                }
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Fills <see cref="ApiKeyEntity.CreatedAtUtcTicks"/> in rows written before the column existed (0 there), so
    /// they take their place in the list order. Once they are filled this is one index probe that finds nothing.
    /// </summary>
    private static async Task FillListOrderAsync(TContext db, CancellationToken cancellationToken)
    {
        const int Batch = 500;
        var lastId = string.Empty;
        while (true)
        {
            var after = lastId;
            var unfilled = await db.Set<ApiKeyEntity>()
                .Where(e => e.CreatedAtUtcTicks == 0 && string.Compare(e.Id, after) > 0)
                .OrderBy(e => e.Id).Take(Batch)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var row in unfilled)
            {
                row.CreatedAtUtcTicks = row.CreatedAt.UtcTicks; // stays 0 for a key created at DateTimeOffset.MinValue
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Another node filled or changed some of these rows meanwhile; the next listing fills what is left.
            }

            db.ChangeTracker.Clear();
            if (unfilled.Count < Batch)
            {
                return;
            }

            lastId = unfilled[^1].Id;
        }
    }

    public Task CreateAsync(StoredApiKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return UseAsync(async db =>
        {
            var set = db.Set<ApiKeyEntity>();
            var id = key.Record.Id;
            var hash = key.Hash;
            if (await set.AnyAsync(e => e.Id == id || e.Hash == hash, cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"An API key with id '{id}' or the same hash already exists.");
            }

            var row = new ApiKeyEntity { Id = id, Hash = hash, Version = 1 };
            Copy(key.Record, row);
            set.Add(row);
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException ex)
            {
                // A concurrent insert won the race on the primary key or the unique hash index.
                throw new InvalidOperationException($"An API key with id '{id}' or the same hash already exists.", ex);
            }

            return true;
        }, cancellationToken);
    }

    public Task<bool> UpdateAsync(ApiKeyRecord record, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return UseAsync(async db =>
        {
            for (var attempt = 1; ; attempt++)
            {
                var row = await db.Set<ApiKeyEntity>().FirstOrDefaultAsync(e => e.Id == record.Id, cancellationToken).ConfigureAwait(false);
                if (row is null)
                {
                    return false;
                }

                if (expectedVersion is { } expected && row.Version != expected)
                {
                    throw new ApiKeyConcurrencyException(record.Id, expected);
                }

                // A revocation is permanent and the last-used time never moves back (see IApiKeyStore.UpdateAsync).
                var revokedAt = row.RevokedAt ?? record.RevokedAt;
                var lastUsedAt = row.LastUsedAt is { } stored && (record.LastUsedAt is null || stored > record.LastUsedAt) ? stored : record.LastUsedAt;
                Copy(record, row);
                row.RevokedAt = revokedAt;
                row.LastUsedAt = lastUsedAt;
                row.Version++;
                try
                {
                    // UPDATE ... WHERE Id = @id AND Version = @read: another node's write since the read makes it
                    // touch no row, and Entity Framework Core throws.
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (DbUpdateConcurrencyException ex) when (expectedVersion is { } stale)
                {
                    throw new ApiKeyConcurrencyException(record.Id, stale, ex);
                }
                catch (DbUpdateConcurrencyException) when (attempt < MaxAttempts)
                {
                    // An unconditional update lost a race with another writer: read the row again and re-apply.
                    db.ChangeTracker.Clear();
                }
            }
        }, cancellationToken);
    }

    public Task RecordLastUsedAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUsed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lastUsed);
        if (lastUsed.Count == 0)
        {
            return Task.CompletedTask;
        }

        return UseAsync(async db =>
        {
            var ids = lastUsed.Keys.ToList();
            for (var attempt = 1; ; attempt++)
            {
                var rows = await db.Set<ApiKeyEntity>().Where(e => ids.Contains(e.Id)).ToListAsync(cancellationToken).ConfigureAwait(false);
                foreach (var row in rows)
                {
                    var usedAt = lastUsed[row.Id];
                    if (row.LastUsedAt is null || row.LastUsedAt < usedAt)
                    {
                        row.LastUsedAt = usedAt;
                    }
                }

                try
                {
                    // Leaves Version alone (last-used times are not admin edits), but the row's token is still checked:
                    // an admin update that landed after the read makes this write retry on fresh rows.
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (DbUpdateConcurrencyException) when (attempt < MaxAttempts)
                {
                    db.ChangeTracker.Clear();
                }
            }
        }, cancellationToken);
    }

    private async Task<T> UseAsync<T>(Func<TContext, Task<T>> work, CancellationToken cancellationToken)
    {
        var factory = _services.GetService<IDbContextFactory<TContext>>();
        if (factory is not null)
        {
            var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using (db.ConfigureAwait(false))
            {
                return await CheckedAsync(db, work, cancellationToken).ConfigureAwait(false);
            }
        }

        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await CheckedAsync(scope.ServiceProvider.GetRequiredService<TContext>(), work, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<T> CheckedAsync<T>(TContext db, Func<TContext, Task<T>> work, CancellationToken cancellationToken)
    {
        if (!_schema.Passed)
        {
            await _schema.EnsureAsync(db, cancellationToken).ConfigureAwait(false);
        }

        return await work(db).ConfigureAwait(false);
    }

    private static void Copy(ApiKeyRecord record, ApiKeyEntity row)
    {
        row.Owner = record.Owner;
        row.Name = record.Name;
        row.Prefix = record.Prefix;
        row.Scopes = string.Join(' ', record.Scopes);
        row.Metadata = JsonSerializer.Serialize(record.Metadata);
        row.AllowedNetworks = string.Join(' ', record.AllowedNetworks);
        row.CreatedAt = record.CreatedAt;
        row.CreatedAtUtcTicks = record.CreatedAt.UtcTicks;
        row.ExpiresAt = record.ExpiresAt;
        row.RevokedAt = record.RevokedAt;
        row.IsDisabled = record.IsDisabled;
        row.LastUsedAt = record.LastUsedAt;
        row.ReplacedById = record.ReplacedById;
    }

    private static StoredApiKey ToStored(ApiKeyEntity row) => new()
    {
        Hash = row.Hash,
        Record = new ApiKeyRecord
        {
            Id = row.Id,
            Owner = row.Owner,
            Name = row.Name,
            Prefix = row.Prefix,
            Scopes = row.Scopes.Split(Space, StringSplitOptions.RemoveEmptyEntries),
            Metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(row.Metadata) ?? [],
            AllowedNetworks = row.AllowedNetworks.Split(Space, StringSplitOptions.RemoveEmptyEntries),
            CreatedAt = row.CreatedAt,
            ExpiresAt = row.ExpiresAt,
            RevokedAt = row.RevokedAt,
            IsDisabled = row.IsDisabled,
            LastUsedAt = row.LastUsedAt,
            ReplacedById = row.ReplacedById,
        },
        Version = row.Version,
    };
}
