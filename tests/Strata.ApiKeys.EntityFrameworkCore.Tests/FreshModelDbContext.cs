using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>
/// A context that builds its own model on every instance (Entity Framework Core otherwise caches one model per
/// context type for the whole process), mapping the API-key table under a chosen name and schema, or not at all.
/// Records whether it was disposed.
/// </summary>
public sealed class FreshModelDbContext(DbContextOptions<FreshModelDbContext> options, string tableName, string? schema, bool mapKeys) : DbContext(options)
{
    public bool IsDisposed { get; private set; }

    /// <summary>Options for a SQLite file with the per-instance model cache.</summary>
    public static DbContextOptions<FreshModelDbContext> SqliteOptions(string connectionString) => new DbContextOptionsBuilder<FreshModelDbContext>()
        .UseSqlite(connectionString)
        .ReplaceService<IModelCacheKeyFactory, PerInstanceModelCacheKeyFactory>()
        .Options;

    /// <summary>A fresh context on the SQLite file at <paramref name="path"/>.</summary>
    public static FreshModelDbContext OnFile(string path, string tableName = ApiKeysModelBuilderExtensions.DefaultTableName, string? schema = null, bool mapKeys = true) =>
        new(SqliteOptions(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()), tableName, schema, mapKeys);

    public override void Dispose()
    {
        IsDisposed = true;
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        IsDisposed = true;
        return base.DisposeAsync();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        if (mapKeys)
        {
            modelBuilder.ApplyStrataApiKeys(tableName, schema);
        }
    }
}
