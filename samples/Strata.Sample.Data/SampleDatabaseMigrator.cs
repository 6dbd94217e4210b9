using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Strata.Sample.Data;

/// <summary>Prepares and migrates the database; tolerant of a second process doing the same at the same time.</summary>
internal static partial class SampleDatabaseMigrator
{
    private const int MaxAttempts = 8;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    public static async Task MigrateAsync(SampleDbContext db, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var sqlite = db.Database.IsSqlite();
        if (sqlite)
        {
            CreateDirectory(db.Database.GetConnectionString(), logger);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (sqlite)
                {
                    await UseWriteAheadLogAsync(db, logger, cancellationToken).ConfigureAwait(false);
                }

                await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
                Log.Migrated(logger, db.Database.ProviderName ?? "unknown");
                return;
            }
            catch (Exception ex) when (attempt < MaxAttempts && IsContention(ex))
            {
                // Another process holds the file's lock (SQLite) or created the same catalog object a moment before
                // us (PostgreSQL's CREATE ... IF NOT EXISTS is not atomic): wait and try again; the second try finds
                // the migrations applied and does nothing.
                var delay = TimeSpan.FromMilliseconds(100 * attempt);
                Log.Retrying(logger, attempt, delay, ex.GetType().Name);
                db.ChangeTracker.Clear();
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal static bool IsContention(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked }:
                    return true;
                case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.DuplicateDatabase }:
                    return true;
                default:
                    break;
            }
        }

        return false;
    }

    private static void CreateDirectory(string? connectionString, ILogger logger)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var dataSource = builder.DataSource;
        if (string.IsNullOrEmpty(dataSource)
            || builder.Mode == SqliteOpenMode.Memory
            || dataSource == ":memory:"
            || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory) && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            Log.CreatedDirectory(logger, directory);
        }
    }

    private static async Task UseWriteAheadLogAsync(SampleDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        // WAL is a property of the file (it persists): readers no longer block the writer and the writer no longer
        // blocks readers, which two processes sharing the file need. Set before migrating so the file is WAL from the start.
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var command = db.Database.GetDbConnection().CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = "PRAGMA journal_mode = WAL;";
                var mode = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    Log.NotWal(logger, mode ?? "unknown");
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Created the database directory {Directory}")]
        public static partial void CreatedDirectory(ILogger logger, string directory);

        [LoggerMessage(2, LogLevel.Warning, "The SQLite database stays in journal mode {Mode}, not WAL (an in-memory database?): two processes cannot share it")]
        public static partial void NotWal(ILogger logger, string mode);

        [LoggerMessage(3, LogLevel.Information, "The database is busy with another process's migration (attempt {Attempt}, {ErrorType}): retrying in {Delay}")]
        public static partial void Retrying(ILogger logger, int attempt, TimeSpan delay, string errorType);

        [LoggerMessage(4, LogLevel.Information, "The database ({Provider}) is migrated")]
        public static partial void Migrated(ILogger logger, string provider);
    }
}
