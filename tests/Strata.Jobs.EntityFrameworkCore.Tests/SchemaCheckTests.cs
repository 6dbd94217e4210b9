using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.EntityFrameworkCore.Tests;

/// <summary>
/// An app upgraded without adding the migration: the first call names the missing table or column and the fix,
/// instead of the provider's bare error; once the migration is applied the host works without a restart.
/// </summary>
public sealed class SqliteSchemaCheckTests : JobBackendTestBase, IDisposable
{
    private readonly SqliteDatabase _database = new();

    protected override void UseBackend(JobsBuilder builder)
    {
        builder.Services.AddDbContext<AppDbContext>(_database.Configure);
        builder.UseEntityFramework<AppDbContext>(o => o.PollInterval = TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Missing_column_names_the_migration_to_add_and_the_host_recovers_once_it_is_applied()
    {
        using (var db = _database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE \"StrataJobs\" DROP COLUMN \"LimitKey\"");
        }

        var host = await StartHostAsync();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.Queue.EnqueueAsync(new EchoJob("a")).AsTask());
        error.Message.Should().Contain("LimitKey", "the provider's message names what is missing")
            .And.Contain("dotnet ef migrations add").And.Contain("--context AppDbContext").And.Contain("Database.MigrateAsync()");
        error.Should().NotBeOfType<InvalidOperationException>("the endpoints answer other exceptions with 503, and this is not a bug in the caller");

        using (var db = _database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE \"StrataJobs\" ADD COLUMN \"LimitKey\" TEXT NULL");
        }

        var id = await host.Queue.EnqueueAsync(new EchoJob("after the migration"));
        (await host.WaitForStateAsync(id, JobState.Succeeded)).State.Should().Be(JobState.Succeeded);
    }

    public void Dispose() => _database.Dispose();
}

/// <summary>The same on PostgreSQL, with a whole table missing.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaCheckTests(PostgresCluster cluster) : JobBackendTestBase, IAsyncLifetime
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

    [Fact]
    public async Task Missing_table_names_the_migration_to_add()
    {
        await using (var db = _database!.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("DROP TABLE \"StrataJobPermits\"");
        }

        var host = await StartHostAsync();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.Queue.EnqueueAsync(new EchoJob("a")).AsTask());
        error.Message.Should().Contain("StrataJobPermits").And.Contain("dotnet ef migrations add");
    }
}
