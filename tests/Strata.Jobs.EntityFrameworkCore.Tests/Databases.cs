using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Strata.Testing;

namespace Strata.Jobs.EntityFrameworkCore.Tests;

/// <summary>The application's own DbContext: a table of its own plus the job tables.</summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyStrataJobs();
}

public sealed class Order
{
    public int Id { get; set; }

    public string Item { get; set; } = string.Empty;
}

/// <summary>A database the tests can hand to a host: how to configure the context for it.</summary>
public interface ITestDatabase
{
    void Configure(DbContextOptionsBuilder options);
}

/// <summary>A real SQLite database file in a temporary folder (write-ahead log on, as the README advises), deleted on dispose.</summary>
public sealed class SqliteDatabase : ITestDatabase, IDisposable
{
    private readonly string _directory;

    public SqliteDatabase()
    {
        _directory = Path.Combine(Path.GetTempPath(), "strata-jobs-ef-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory, "app.db"), DefaultTimeout = 30 }.ToString();
        using var db = CreateContext();
        db.Database.EnsureCreated();
        db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
    }

    public string ConnectionString { get; }

    public void Configure(DbContextOptionsBuilder options) => options.UseSqlite(ConnectionString);

    public AppDbContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<AppDbContext>();
        Configure(builder);
        return new AppDbContext(builder.Options);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>A database of its own on the shared throwaway PostgreSQL cluster.</summary>
public sealed class PostgresDatabase : ITestDatabase
{
    private PostgresDatabase(string connectionString)
    {
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync(PostgresCluster cluster)
    {
        // Idle pooled connections close within seconds: every test has a database (and a pool) of its own, and the
        // limit tests open dozens of connections at once, which would otherwise stay open for minutes and exhaust the
        // cluster's connections.
        var connectionString = cluster.ConnectionStringFor(await cluster.CreateDatabaseAsync("jobs")) + ";Connection Idle Lifetime=2;Connection Pruning Interval=1";
        var database = new PostgresDatabase(connectionString);
        await using var db = database.CreateContext();
        await db.Database.EnsureCreatedAsync();
        return database;
    }

    public void Configure(DbContextOptionsBuilder options) => options.UseNpgsql(ConnectionString);

    public AppDbContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<AppDbContext>();
        Configure(builder);
        return new AppDbContext(builder.Options);
    }
}

/// <summary>One throwaway PostgreSQL cluster for every PostgreSQL test; each test class makes a database of its own.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "postgres";
}
