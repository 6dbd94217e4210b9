using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.EntityFrameworkCore.Tests;

/// <summary>The shared jobs contract on SQLite, a real database file per test class.</summary>
public sealed class SqliteContractTests : JobBackendContractTests, IDisposable
{
    private readonly SqliteDatabase _database = new();

    protected override void UseBackend(JobsBuilder builder)
    {
        builder.Services.AddDbContext<AppDbContext>(_database.Configure);
        builder.UseEntityFramework<AppDbContext>(o => o.PollInterval = TimeSpan.FromMilliseconds(200));
    }

    public void Dispose() => _database.Dispose();
}

/// <summary>The shared jobs contract on PostgreSQL, a database per test class on a throwaway cluster.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresContractTests(PostgresCluster cluster) : JobBackendContractTests, IAsyncLifetime
{
    private PostgresDatabase? _database;

    async Task IAsyncLifetime.InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync(cluster);
        await InitializeAsync();
    }

    protected override void UseBackend(JobsBuilder builder)
    {
        builder.Services.AddDbContext<AppDbContext>(_database!.Configure);
        builder.UseEntityFramework<AppDbContext>(o => o.PollInterval = TimeSpan.FromMilliseconds(200));
    }
}
