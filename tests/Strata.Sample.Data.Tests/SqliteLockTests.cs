using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Sample.Data.Tests;

/// <summary>EF Core's SQLite migration lock left behind by a process killed while migrating.</summary>
public sealed class SqliteLockTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);
    private readonly SqliteFolder _folder = new();

    [Fact]
    public async Task A_lock_row_older_than_two_minutes_is_deleted_and_the_migration_goes_on()
    {
        await using var host = TestHost.Create("Sqlite", _folder.ConnectionString);
        await LeaveLockAsync(host.Time.GetUtcNow().AddHours(-1));

        await host.Services.MigrateSampleDatabaseAsync().WaitAsync(Patience);

        await AssertMigratedAsync(host);
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 6, "the deletion is logged as a warning");
    }

    [Fact]
    public async Task A_recent_lock_row_that_stays_for_two_minutes_is_deleted_and_the_migration_goes_on()
    {
        // A restart right after a kill: the row is seconds old, so it is watched until it has been there for two minutes.
        await using var host = TestHost.Create("Sqlite", _folder.ConnectionString);
        await LeaveLockAsync(host.Time.GetUtcNow().AddSeconds(-5));

        var migrate = host.Services.MigrateSampleDatabaseAsync();
        for (var i = 0; i < 600 && !migrate.IsCompleted; i++)
        {
            host.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }

        await migrate.WaitAsync(Patience);
        await AssertMigratedAsync(host);
    }

    [Fact]
    public async Task An_up_to_date_database_starts_without_waiting_for_a_lock_row()
    {
        await using var host = TestHost.Create("Sqlite", _folder.ConnectionString);
        await host.Services.MigrateSampleDatabaseAsync();
        await ExecuteAsync($"INSERT INTO \"__EFMigrationsLock\" (\"Id\", \"Timestamp\") VALUES (1, '{host.Time.GetUtcNow():O}');");

        // The fake clock never moves: waiting for the row would never end.
        await host.Services.MigrateSampleDatabaseAsync().WaitAsync(Patience);

        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 5, "nothing to apply, so no lock is taken");
    }

    [Fact]
    public async Task The_lock_row_ef_core_writes_has_a_timestamp_the_migrator_reads()
    {
        var inserts = new LockInserts();
        await using var host = TestHost.Create("Sqlite", _folder.ConnectionString, services =>
            services.ConfigureDbContext<SqliteSampleDbContext>((_, options) => options.AddInterceptors(inserts)));

        await host.Services.MigrateSampleDatabaseAsync();

        inserts.Timestamps.Should().NotBeEmpty("EF Core takes its migration lock with an INSERT into __EFMigrationsLock");
        inserts.Timestamps.Should().AllSatisfy(t => DateTimeOffset.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _).Should().BeTrue(t));
    }

    /// <summary>Leaves the state of a process killed in its first migration: an empty file holding only the lock row.</summary>
    private async Task LeaveLockAsync(DateTimeOffset takenAt)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_folder.FilePath)!);
        await ExecuteAsync($"""
            CREATE TABLE "__EFMigrationsLock" ("Id" INTEGER NOT NULL CONSTRAINT "PK___EFMigrationsLock" PRIMARY KEY, "Timestamp" TEXT NOT NULL);
            INSERT INTO "__EFMigrationsLock" ("Id", "Timestamp") VALUES (1, '{takenAt:yyyy-MM-dd HH:mm:ss.fffffffzzz}');
            """);
    }

    private static async Task AssertMigratedAsync(TestHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        (await db.Database.GetPendingMigrationsAsync()).Should().BeEmpty();
        (await db.Database.SqlQueryRaw<int>("SELECT count(*) AS \"Value\" FROM \"__EFMigrationsLock\"").SingleAsync()).Should().Be(0, "the lock was released after the migration");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection(_folder.ConnectionString + ";Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>Records the timestamp literal or parameter of every insert into the lock table.</summary>
    private sealed class LockInserts : DbCommandInterceptor
    {
        public List<string> Timestamps { get; } = [];

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Record(command);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Record(command);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        {
            Record(command);
            return result;
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        private void Record(DbCommand command)
        {
            if (!command.CommandText.Contains("INSERT", StringComparison.OrdinalIgnoreCase) || !command.CommandText.Contains("__EFMigrationsLock", StringComparison.Ordinal))
            {
                return;
            }

            var literal = System.Text.RegularExpressions.Regex.Match(command.CommandText, @"'(\d{4}-\d{2}-\d{2}[^']*)'");
            Timestamps.Add(literal.Success ? literal.Groups[1].Value : string.Join(' ', command.Parameters.Cast<DbParameter>().Select(p => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture))));
        }
    }
}
