using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>
/// The statements of the backend, written once per host from the context's model (table and column names as mapped,
/// quoted by the provider) and provider (PostgreSQL takes leases with <c>FOR UPDATE SKIP LOCKED</c>; SQLite, one
/// writer at a time, needs no lock clause).
/// </summary>
internal sealed class JobSql
{
    public const string PostgreSqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";
    public const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";

    private const string Waiting = "(0, 1, 4)";

    private JobSql(DbContext db)
    {
        var helper = db.GetService<ISqlGenerationHelper>();
        var jobs = db.Model.FindEntityType(typeof(JobEntity))
            ?? throw new InvalidOperationException($"{db.GetType().Name} does not map the job tables: call modelBuilder.ApplyStrataJobs() in its OnModelCreating, then add a migration.");
        var keys = db.Model.FindEntityType(typeof(JobKeyEntity))!;
        IsPostgreSql = db.Database.ProviderName == PostgreSqlProvider;
        var lockClause = IsPostgreSql ? " FOR UPDATE SKIP LOCKED" : string.Empty;

        var jobTable = StoreObjectIdentifier.Table(jobs.GetTableName()!, jobs.GetSchema());
        string J(string property) => helper.DelimitIdentifier(jobs.FindProperty(property)!.GetColumnName(jobTable)!);
        var t = helper.DelimitIdentifier(jobTable.Name, jobTable.Schema);
        var keyTable = StoreObjectIdentifier.Table(keys.GetTableName()!, keys.GetSchema());
        string K(string property) => helper.DelimitIdentifier(keys.FindProperty(property)!.GetColumnName(keyTable)!);
        var k = helper.DelimitIdentifier(keyTable.Name, keyTable.Schema);

        string id = J("Id"), queue = J("Queue"), type = J("JobType"), payload = J("Payload"), state = J("State"), attempt = J("Attempt"),
            next = J("NextAttempt"), max = J("MaxAttempts"), timeout = J("TimeoutMs"), owner = J("Owner"), created = J("CreatedAt"),
            enqueued = J("EnqueuedAt"), runAt = J("RunAt"), sequence = J("Sequence"), key = J("IdempotencyKey"), limitKey = J("LimitKey"), parent = J("TraceParent"), traceState = J("TraceState"),
            token = J("LeaseToken"), until = J("LeaseUntil"), deliveries = J("Deliveries"), cancel = J("CancelRequested"), started = J("StartedAt"),
            completed = J("CompletedAt"), progress = J("Progress"), message = J("ProgressMessage"), result = J("Result"), error = J("Error"), expires = J("ExpiresAt");

        Insert = $"INSERT INTO {t} ({id}, {queue}, {type}, {payload}, {state}, {attempt}, {next}, {max}, {timeout}, {owner}, {created}, {enqueued}, {runAt}, {sequence}, {key}, {limitKey}, {parent}, {traceState}, {deliveries}, {cancel}) " +
            "VALUES (@id, @queue, @type, @payload, @state, 0, 1, @max, @timeout, @owner, @created, @enqueued, @runAt, @sequence, @key, @limitKey, @parent, @traceState, 0, @false)";

        // Takes the key when it is free or its holder expired; returns the holder either way.
        ClaimKey = $"INSERT INTO {k} ({K("Queue")}, {K("Key")}, {K("JobId")}, {K("ExpiresAt")}) VALUES (@queue, @key, @id, @expires) " +
            $"ON CONFLICT ({K("Queue")}, {K("Key")}) DO UPDATE SET {K("JobId")} = excluded.{K("JobId")}, {K("ExpiresAt")} = excluded.{K("ExpiresAt")} " +
            $"WHERE {k}.{K("ExpiresAt")} <= @now";
        KeyHolder = $"SELECT {K("JobId")} FROM {k} WHERE {K("Queue")} = @queue AND {K("Key")} = @key";

        Receive = $"UPDATE {t} SET {state} = 2, {attempt} = {next}, {token} = @token, {until} = @until, {deliveries} = {deliveries} + 1, {started} = @now " +
            $"WHERE {id} IN (SELECT {id} FROM {t} WHERE {queue} = @queue AND {state} IN {Waiting} AND {runAt} <= @now ORDER BY {runAt}, {sequence}, {id} LIMIT @max{lockClause}) " +
            $"RETURNING {id}, {type}, {payload}, {next}, {max}, {timeout}, {owner}, {created}, {enqueued}, {key}, {parent}, {traceState}, {deliveries}, {runAt}, {sequence}, {limitKey}";

        Get = $"SELECT {id}, {type}, {queue}, {state}, {attempt}, {max}, {deliveries}, {created}, {runAt}, {started}, {completed}, {progress}, {message}, {result}, {error}, {owner} " +
            $"FROM {t} WHERE {id} = @id AND ({expires} IS NULL OR {expires} > @now)";

        // The envelope's columns in the order of Receive's RETURNING (read by ReadEnvelope), then the limit key and queue.
        GetEnvelope = $"SELECT {id}, {type}, {payload}, {attempt}, {max}, {timeout}, {owner}, {created}, {enqueued}, {key}, {parent}, {traceState}, {limitKey}, {queue} " +
            $"FROM {t} WHERE {id} = @id AND ({expires} IS NULL OR {expires} > @now)";

        CancelWaiting = $"UPDATE {t} SET {state} = 6, {completed} = @now, {expires} = @expires WHERE {id} = @id AND {state} IN {Waiting}";
        CancelRunning = $"UPDATE {t} SET {cancel} = @true WHERE {id} = @id AND {state} = 2";
        Requeue = $"UPDATE {t} SET {state} = 0, {attempt} = 0, {next} = 1, {deliveries} = 0, {runAt} = @now, {enqueued} = @now, {completed} = NULL, {expires} = NULL, {cancel} = @false, {token} = NULL, {until} = NULL " +
            $"WHERE {id} = @id AND {state} = 5";

        var held = $"WHERE {id} = @id AND {token} = @token";
        var release = $"{token} = NULL, {until} = NULL";
        Progress = $"UPDATE {t} SET {progress} = @progress, {message} = @message {held}";
        Succeed = $"UPDATE {t} SET {state} = 3, {completed} = @now, {result} = @result, {error} = NULL, {expires} = @expires, {cancel} = @false, {release} {held}";
        Retry = $"UPDATE {t} SET {state} = CASE WHEN {cancel} THEN 6 ELSE 4 END, {completed} = CASE WHEN {cancel} THEN @now ELSE NULL END, " +
            $"{expires} = CASE WHEN {cancel} THEN @expires ELSE NULL END, {next} = @next, {runAt} = @runAt, {enqueued} = @runAt, {deliveries} = 0, {error} = @error, {release} {held}";
        DeadLetter = $"UPDATE {t} SET {state} = 5, {completed} = @now, {error} = @error, {expires} = @expires, {cancel} = @false, {release} {held}";
        Cancelled = $"UPDATE {t} SET {state} = 6, {completed} = @now, {expires} = @expires, {cancel} = @false, {release} {held}";
        Release = $"UPDATE {t} SET {state} = 0, {runAt} = @now, {deliveries} = CASE WHEN {deliveries} > 0 THEN {deliveries} - 1 ELSE 0 END, {release} {held}";

        // A limit held the job back: it waits for @runAt with its attempt unchanged (the status shows the attempt before it
        // again), and the delivery counts as none (as a release); a cancel asked for meanwhile ends it, as a retry would.
        Defer = $"UPDATE {t} SET {state} = CASE WHEN {cancel} THEN 6 WHEN @runAt > @now THEN 1 ELSE 0 END, {completed} = CASE WHEN {cancel} THEN @now ELSE NULL END, " +
            $"{expires} = CASE WHEN {cancel} THEN @expires ELSE NULL END, {runAt} = @runAt, {attempt} = {next} - 1, {deliveries} = CASE WHEN {deliveries} > 0 THEN {deliveries} - 1 ELSE 0 END, {release} {held}";

        Heartbeat = $"UPDATE {t} SET {until} = @until WHERE {state} = 2 AND {token} = @token RETURNING {id}, {cancel}";
        Reclaim = $"UPDATE {t} SET {state} = CASE WHEN {cancel} THEN 6 ELSE 0 END, {completed} = CASE WHEN {cancel} THEN @now ELSE NULL END, " +
            $"{expires} = CASE WHEN {cancel} THEN @expires ELSE NULL END, {runAt} = @now, {release} WHERE {state} = 2 AND {until} < @now";
        PurgeJobs = $"DELETE FROM {t} WHERE {expires} <= @now";
        PurgeKeys = $"DELETE FROM {k} WHERE {K("ExpiresAt")} <= @now";
        Depths = $"SELECT {queue}, COUNT(*) FROM {t} WHERE {state} IN {Waiting} GROUP BY {queue}";
        Ping = $"SELECT COUNT(*) FROM {t} WHERE {id} = ''";

        var jobTableMap = MappedTable.Of<JobEntity>(db, helper);
        var keyTableMap = MappedTable.Of<JobKeyEntity>(db, helper);
        var pauses = MappedTable.Of<JobPauseEntity>(db, helper);
        var schedules = MappedTable.Of<JobScheduleEntity>(db, helper);
        var slots = MappedTable.Of<JobSlotEntity>(db, helper);
        var permits = MappedTable.Of<JobPermitEntity>(db, helper);
        Search = new JobSearchSql(jobTableMap, keyTableMap, IsPostgreSql);
        Schedules = new ScheduleSql(pauses, schedules);
        Limits = new LimitSql(slots, permits, IsPostgreSql);
        SchemaProbes = [.. new[] { jobTableMap, keyTableMap, pauses, schedules, slots, permits }.Select(m => m.ProbeStatement())];
    }

    public bool IsPostgreSql { get; }

    public string Insert { get; }

    public string ClaimKey { get; }

    public string KeyHolder { get; }

    public string Receive { get; }

    public string Get { get; }

    /// <summary>One statement per job table that reads every column Strata maps and no row (see <see cref="SchemaCheck"/>).</summary>
    public IReadOnlyList<string> SchemaProbes { get; }

    public string GetEnvelope { get; }

    public string CancelWaiting { get; }

    public string CancelRunning { get; }

    public string Requeue { get; }

    public string Progress { get; }

    public string Succeed { get; }

    public string Retry { get; }

    public string DeadLetter { get; }

    public string Cancelled { get; }

    public string Release { get; }

    public string Defer { get; }

    public string Heartbeat { get; }

    public string Reclaim { get; }

    public string PurgeJobs { get; }

    public string PurgeKeys { get; }

    public string Depths { get; }

    public string Ping { get; }

    /// <summary>Search, counts and bulk changes.</summary>
    public JobSearchSql Search { get; }

    /// <summary>Paused queues and recurring-job schedules.</summary>
    public ScheduleSql Schedules { get; }

    /// <summary>Concurrency slots and rate-limit permits.</summary>
    public LimitSql Limits { get; }

    /// <summary>The statements for <paramref name="db"/>'s model and provider; throws naming the fix when the provider or the model does not fit.</summary>
    public static JobSql For(DbContext db)
    {
        var provider = db.Database.ProviderName;
        if (provider is not (PostgreSqlProvider or SqliteProvider))
        {
            throw new NotSupportedException(
                $"The database job backend runs on PostgreSQL ({PostgreSqlProvider}) and SQLite ({SqliteProvider}); {db.GetType().Name} uses {provider ?? "no provider"}. Use one of them, or Strata.Jobs.Redis.");
        }

        return new JobSql(db);
    }
}
