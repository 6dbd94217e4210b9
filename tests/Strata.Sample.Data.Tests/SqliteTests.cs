using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Strata.Sample.Data.Tests;

/// <summary>The repository contract on a real SQLite file.</summary>
public sealed class SqliteAnalysisRepositoryTests : AnalysisRepositoryContract, IDisposable
{
    private readonly List<SqliteFolder> _folders = [];

    protected override Task<(string Provider, string ConnectionString)> CreateDatabaseAsync()
    {
        var folder = new SqliteFolder();
        _folders.Add(folder);
        return Task.FromResult(("Sqlite", folder.ConnectionString));
    }

    protected override void AddInterceptor(IServiceCollection services, IInterceptor interceptor)
        => services.ConfigureDbContext<SqliteSampleDbContext>((_, options) => options.AddInterceptors(interceptor));

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            folder.Dispose();
        }
    }
}

/// <summary>Migrations and the settings that let two processes share one SQLite file.</summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly SqliteFolder _folder = new();

    [Fact]
    public async Task Migrate_creates_the_folder_and_the_file_applies_every_migration_and_switches_the_file_to_wal()
    {
        await using var host = TestHost.Create("Sqlite", _folder.ConnectionString);
        Directory.Exists(Path.GetDirectoryName(_folder.FilePath)).Should().BeFalse();

        await host.Services.MigrateSampleDatabaseAsync();

        File.Exists(_folder.FilePath).Should().BeTrue();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        db.Should().BeOfType<SqliteSampleDbContext>();
        (await db.Database.GetPendingMigrationsAsync()).Should().BeEmpty();
        (await db.Database.GetAppliedMigrationsAsync()).Should().Equal(db.Database.GetMigrations());
        (await ScalarAsync(_folder.ConnectionString, "PRAGMA journal_mode;")).Should().Be("wal", "WAL is a property of the file, seen by every new connection");
        (await ScalarAsync(_folder.ConnectionString, "SELECT count(*) FROM sqlite_master WHERE name IN ('Documents', 'Analyses', 'StrataApiKeys');")).Should().Be("3");
    }

    [Fact]
    public async Task Migrating_an_up_to_date_database_again_changes_nothing()
    {
        await using var host = TestHost.Create("Sqlite", _folder.ConnectionString);
        await host.Services.MigrateSampleDatabaseAsync();
        var saved = await host.Repository.SaveAsync(new NewAnalysis("key_1", "Text.", "job-1", "Summary.", ["k"], "neutral", 0, 1));

        await host.Services.MigrateSampleDatabaseAsync();

        (await host.Repository.FindByJobAsync("job-1")).Should().BeEquivalentTo(saved);
        (await ScalarAsync(_folder.ConnectionString, "SELECT count(*) FROM \"__EFMigrationsHistory\";")).Should().Be("3", "three migrations (InitialCreate, StrataJobs, StrataJobOperations)");
    }

    [Fact]
    public async Task Processes_starting_together_on_a_new_file_all_migrate_it_once()
    {
        // Four "processes" (own service providers, own connection pools) migrate one file that does not exist yet.
        var hosts = Enumerable.Range(0, 4).Select(_ => TestHost.Create("Sqlite", _folder.ConnectionString, systemTime: true)).ToList();
        try
        {
            await Task.WhenAll(hosts.Select(h => Task.Run(() => h.Services.MigrateSampleDatabaseAsync())));

            foreach (var host in hosts)
            {
                await using var scope = host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
                (await db.Database.GetPendingMigrationsAsync()).Should().BeEmpty();
            }

            (await ScalarAsync(_folder.ConnectionString, "SELECT count(*) FROM \"__EFMigrationsHistory\";")).Should().Be("3", "three migrations (InitialCreate, StrataJobs, StrataJobOperations), applied once");
            var saved = await hosts[0].Repository.SaveAsync(new NewAnalysis("key_1", "Text.", "job-1", "Summary.", ["k"], "neutral", 0, 1));
            (await hosts[3].Repository.FindByJobAsync("job-1")).Should().BeEquivalentTo(saved);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("", 30_000)]
    [InlineData(";Default Timeout=5", 5_000)]
    public async Task Every_connection_waits_for_a_lock_with_a_busy_timeout_from_the_connection_string(string extra, int expectedMilliseconds)
    {
        await using var host = TestHost.Create("Sqlite", _folder.ConnectionString + extra);
        await host.Services.MigrateSampleDatabaseAsync();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();

        var timeout = await db.Database.SqlQueryRaw<int>("SELECT \"timeout\" AS \"Value\" FROM pragma_busy_timeout").SingleAsync();

        timeout.Should().Be(expectedMilliseconds);
    }

    [Fact]
    public async Task A_writer_waits_while_another_process_holds_the_write_lock_and_then_succeeds()
    {
        // Debug logs carry EF's "Executing DbCommand", written just before the INSERT meets the lock.
        await using var host = TestHost.Create("Sqlite", _folder.ConnectionString, s => s.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug)));
        await host.Services.MigrateSampleDatabaseAsync();

        // Another process takes the write lock and holds it while this process saves.
        await using var other = new SqliteConnection(_folder.ConnectionString + ";Pooling=False");
        await other.OpenAsync();
        await using var lockHolder = other.CreateCommand();
        lockHolder.CommandText = "BEGIN IMMEDIATE;";
        await lockHolder.ExecuteNonQueryAsync();
        var save = Task.Run(() => host.Repository.SaveAsync(new NewAnalysis("key_1", "Text.", "job-9", "Summary.", ["k"], "neutral", 0, 1)));
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!host.Logs.GetSnapshot().Any(r => r.Id.Name == RelationalEventId.CommandExecuting.Name && r.Message.Contains("INSERT", StringComparison.Ordinal)))
            {
                await Task.Delay(10, limit.Token);
            }
        }

        save.IsCompleted.Should().BeFalse("the INSERT has been sent and waits for the lock instead of failing with 'database is locked'");
        lockHolder.CommandText = "COMMIT;";
        await lockHolder.ExecuteNonQueryAsync();

        var stored = await save;

        (await host.Repository.FindByJobAsync("job-9")).Should().BeEquivalentTo(stored);
    }

    private static async Task<string?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString + ";Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose() => _folder.Dispose();
}

/// <summary>Real separate processes (this test assembly started with <c>dotnet</c>, see <see cref="Program"/>) on one SQLite file.</summary>
public sealed class SqliteProcessTests : IDisposable
{
    private readonly SqliteFolder _folder = new();

    [Fact]
    public async Task Two_processes_started_together_on_a_new_file_both_migrate_it_and_store_each_job_once()
    {
        var results = await Task.WhenAll(SampleProcess.RunAsync("Sqlite", _folder.ConnectionString, 10), SampleProcess.RunAsync("Sqlite", _folder.ConnectionString, 10));

        results.Should().AllSatisfy(r => r.ExitCode.Should().Be(0, r.Output));
        var ids = results.Select(r => SampleProcess.ParseIds(r.Output)).ToArray();
        ids[0].Should().HaveCount(10).And.BeEquivalentTo(ids[1], "a job saved by both processes is stored once and both get that row");
        await using var host = TestHost.Create("Sqlite", _folder.ConnectionString);
        (await host.CountAsync()).Should().Be((10, 10));
        await using var scope = host.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<SampleDbContext>().Database.GetPendingMigrationsAsync()).Should().BeEmpty();
    }

    public void Dispose() => _folder.Dispose();
}
