using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Strata.Sample.Data;

/// <summary>Prepares and migrates the database; tolerant of a second process doing the same at the same time.</summary>
internal static partial class SampleDatabaseMigrator
{
    private const int MaxAttempts = 8;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const string SqliteLockTable = "__EFMigrationsLock";

    /// <summary>How old a SQLite migration lock must be to count as left by a killed process.</summary>
    internal static readonly TimeSpan StaleLockAge = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan LockPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>The advisory lock key the sample's processes migrate a PostgreSQL database under (any constant will do).</summary>
    private const long PostgresMigrationLockKey = 0x5374726174614D;

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

                // The usual start (a restart, or the second process of two): nothing to apply, so no migration lock is
                // taken at all.
                if (await IsUpToDateAsync(db, cancellationToken).ConfigureAwait(false))
                {
                    Log.UpToDate(logger, db.Database.ProviderName ?? "unknown");
                    return;
                }

                if (sqlite)
                {
                    await ClearStaleSqliteLockAsync(db, time, logger, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await CreatePostgresHistoryTableAsync(db, cancellationToken).ConfigureAwait(false);
                }

                if (sqlite)
                {
                    await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await MigratePostgresSeriallyAsync(db, cancellationToken).ConfigureAwait(false);
                }

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

    /// <summary>
    /// Applies the migrations while holding a session advisory lock, so processes starting together take turns over the
    /// whole set: EF Core's own PostgreSQL lock is held per migration, and with several migrations a second process
    /// could run one the first had just applied (a failed CREATE, logged at Error, before the retry found it done).
    /// </summary>
    private static async Task MigratePostgresSeriallyAsync(SampleDbContext db, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({PostgresMigrationLockKey})", cancellationToken).ConfigureAwait(false);
            try
            {
                await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({PostgresMigrationLockKey})", CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// True when the database answers and has every migration applied. Never asks EF Core for the applied migrations
    /// of a PostgreSQL database without a history table: that query fails with 42P01 (undefined table), which EF Core
    /// logs at Error ("Failed executing DbCommand") although the answer, "none applied", is the normal one on a first start.
    /// </summary>
    internal static async Task<bool> IsUpToDateAsync(SampleDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (db.Database.IsNpgsql() && !await PostgresHistoryTableExistsAsync(db, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        return !(await db.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).Any();
    }

    private static async Task<bool> PostgresHistoryTableExistsAsync(SampleDbContext db, CancellationToken cancellationToken)
        => await ExecuteAsync(
            db,
            $"SELECT to_regclass('\"{HistoryRepository.DefaultTableName}\"') IS NOT NULL;",
            static (command, token) => command.ExecuteScalarAsync(token),
            cancellationToken).ConfigureAwait(false) is true;

    /// <summary>
    /// Creates EF Core's history table (if it does not exist) before migrating PostgreSQL, so that EF Core's own first
    /// look at the applied migrations finds a table instead of failing (and logging an error). Two processes doing this
    /// at once can collide in PostgreSQL's catalog (unique_violation, duplicate_table): the caller retries those.
    /// </summary>
    private static Task CreatePostgresHistoryTableAsync(SampleDbContext db, CancellationToken cancellationToken)
        => ExecuteAsync(
            db,
            db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(),
            static (command, token) => command.ExecuteNonQueryAsync(token),
            cancellationToken);

    /// <summary>
    /// Runs one command of our own on EF Core's connection: EF Core logs nothing for it, so a missing table is an
    /// answer, not an error line.
    /// </summary>
    private static async Task<T> ExecuteAsync<T>(SampleDbContext db, string sql, Func<DbCommand, CancellationToken, Task<T>> execute, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var command = db.Database.GetDbConnection().CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = sql;
                return await execute(command, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// EF Core's SQLite migration lock is a row in <c>__EFMigrationsLock</c>; a process killed while migrating leaves
    /// it behind, and every later migration would wait for it forever. While such a row exists, this waits, and
    /// deletes it once it is older than <see cref="StaleLockAge"/> (by its timestamp, or by how long this process has
    /// watched the same row): migrations of this schema take well under a second.
    /// </summary>
    private static async Task ClearStaleSqliteLockAsync(SampleDbContext db, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        string? watched = null;
        var watchedSince = DateTimeOffset.MinValue;
        while (true)
        {
            var taken = await ReadSqliteLockAsync(db, cancellationToken).ConfigureAwait(false);
            if (taken is null)
            {
                return;
            }

            var now = time.GetUtcNow();
            if (taken != watched)
            {
                watched = taken;
                watchedSince = now;
            }

            var since = DateTimeOffset.TryParse(taken, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var takenAt) && takenAt < watchedSince
                ? takenAt
                : watchedSince;
            if (now - since >= StaleLockAge)
            {
                await DeleteSqliteLockAsync(db, taken, cancellationToken).ConfigureAwait(false);
                Log.ClearedStaleLock(logger, taken);
                return;
            }

            await Task.Delay(LockPollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task<string?> ReadSqliteLockAsync(SampleDbContext db, CancellationToken cancellationToken)
        => ExecuteAsync(
            db,
            $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{SqliteLockTable}';",
            static async (command, token) =>
            {
                if (Convert.ToInt64(await command.ExecuteScalarAsync(token).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
                {
                    return null;
                }

                command.CommandText = $"SELECT \"Timestamp\" FROM \"{SqliteLockTable}\" LIMIT 1;";
                return Convert.ToString(await command.ExecuteScalarAsync(token).ConfigureAwait(false), CultureInfo.InvariantCulture) is { Length: > 0 } taken
                    ? taken
                    : null;
            },
            cancellationToken);

    // Only the row judged stale: if another process has taken the lock since, its row stays.
    private static Task DeleteSqliteLockAsync(SampleDbContext db, string taken, CancellationToken cancellationToken)
        => ExecuteAsync(
            db,
            $"DELETE FROM \"{SqliteLockTable}\" WHERE \"Timestamp\" = $taken;",
            (command, token) =>
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "$taken";
                parameter.Value = taken;
                command.Parameters.Add(parameter);
                return command.ExecuteNonQueryAsync(token);
            },
            cancellationToken);

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

        [LoggerMessage(5, LogLevel.Information, "The database ({Provider}) is up to date: no migration to apply")]
        public static partial void UpToDate(ILogger logger, string provider);

        [LoggerMessage(6, LogLevel.Warning, "Deleted a stale SQLite migration lock taken at {TakenAt} (a process was killed while migrating)")]
        public static partial void ClearedStaleLock(ILogger logger, string takenAt);
    }
}
