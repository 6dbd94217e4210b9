using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>The host's own DbContext: one table of its own plus the API-key table.</summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyStrataApiKeys();
}

public sealed class Order
{
    public int Id { get; set; }

    public string Item { get; set; } = string.Empty;
}

/// <summary>A DbContext that forgot <c>modelBuilder.ApplyStrataApiKeys()</c>.</summary>
public sealed class ForgetfulDbContext(DbContextOptions<ForgetfulDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();
}

/// <summary>A real SQLite database file in a temporary folder, deleted on dispose.</summary>
public sealed class SqliteDatabase : IDisposable
{
    private readonly string _directory;

    public SqliteDatabase()
    {
        _directory = Path.Combine(Path.GetTempPath(), "strata-apikeys-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        FilePath = Path.Combine(_directory, "app.db");
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString();
        using var db = CreateContext();
        db.Database.EnsureCreated();
    }

    public string FilePath { get; }

    public string ConnectionString { get; }

    public AppDbContext CreateContext() => new(new DbContextOptionsBuilder<AppDbContext>().UseSqlite(ConnectionString).Options);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temp folder is cleaned by the OS.
        }
    }
}
