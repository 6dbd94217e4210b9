using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>
/// The statements that find jobs and change many at once. A search reads newest first along one of the search indexes
/// (<c>(CreatedAt, Id)</c>, <c>(State, Queue, CreatedAt, Id)</c>, <c>(Queue, CreatedAt, Id)</c>,
/// <c>(Owner, CreatedAt, Id)</c>), backwards, and starts after the cursor with a row comparison the index answers.
/// Bulk changes go in batches of <see cref="BatchSize"/> rows, one short transaction each.
/// </summary>
internal sealed class JobSearchSql
{
    /// <summary>Rows per bulk statement: short transactions and locks, whatever the number of matching jobs.</summary>
    public const int BatchSize = 1000;

    private const string Finished = "(3, 5, 6)";
    private const string Requeueable = "(5)";

    private readonly string _table;
    private readonly string _id, _queue, _type, _state, _owner, _created, _completed, _expires;
    private readonly string _select;
    private readonly string _requeueSet;
    private readonly string _lockClause;

    public JobSearchSql(MappedTable jobs, MappedTable keys, bool isPostgreSql)
    {
        var t = _table = jobs.Name;
        _id = jobs["Id"];
        _queue = jobs["Queue"];
        _type = jobs["JobType"];
        _state = jobs["State"];
        _owner = jobs["Owner"];
        _created = jobs["CreatedAt"];
        _completed = jobs["CompletedAt"];
        _expires = jobs["ExpiresAt"];
        _lockClause = isPostgreSql ? " FOR UPDATE" : string.Empty;
        string runAt = jobs["RunAt"], enqueued = jobs["EnqueuedAt"], key = jobs["IdempotencyKey"];

        // The columns EntityFrameworkJobBackend.ReadInfo reads, in its order (the same as a status read).
        _select = $"SELECT {_id}, {_type}, {_queue}, {_state}, {jobs["Attempt"]}, {jobs["MaxAttempts"]}, {jobs["Deliveries"]}, {_created}, {runAt}, {jobs["StartedAt"]}, " +
            $"{_completed}, {jobs["Progress"]}, {jobs["ProgressMessage"]}, {jobs["Result"]}, {jobs["Error"]}, {_owner} FROM {t}";

        // As a single requeue: a new first attempt, runnable now.
        _requeueSet = $"{_state} = 0, {jobs["Attempt"]} = 0, {jobs["NextAttempt"]} = 1, {jobs["Deliveries"]} = 0, {runAt} = @now, {enqueued} = @now, {_completed} = NULL, " +
            $"{_expires} = NULL, {jobs["CancelRequested"]} = @false, {jobs["LeaseToken"]} = NULL, {jobs["LeaseUntil"]} = NULL";

        Count = $"SELECT {_queue}, {_state}, COUNT(*) FROM {t} WHERE {Remembered} GROUP BY {_queue}, {_state}";

        // The head of each waiting kind along the receive index (Queue, State, RunAt): queued since EnqueuedAt; a delayed or
        // retried job whose time has come since its RunAt.
        string Head(int state, string since) =>
            $"SELECT {since} AS w FROM {t} WHERE {_queue} = @queue AND {_state} = {state} AND {runAt} <= @now ORDER BY {runAt} LIMIT 1";
        OldestQueued = $"SELECT MIN(w) FROM ({Head(0, enqueued)}) q0 UNION ALL SELECT MIN(w) FROM ({Head(1, runAt)}) q1 UNION ALL SELECT MIN(w) FROM ({Head(4, runAt)}) q4";

        DeleteOne = $"DELETE FROM {t} WHERE {_id} = @id AND {_state} IN {Finished} AND {Remembered} RETURNING {_queue}, {key}";
        FreeKey = $"DELETE FROM {keys.Name} WHERE {keys["Queue"]} = @queue AND {keys["Key"]} = @key AND {keys["JobId"]} = @id";
        DeleteReturning = $"RETURNING {_queue}, {key}, {_id}";
    }

    public string Count { get; }

    /// <summary>Three rows (queued, scheduled, failed), each the oldest waiting time of its kind or null.</summary>
    public string OldestQueued { get; }

    public string DeleteOne { get; }

    public string FreeKey { get; }

    private string DeleteReturning { get; }

    /// <summary>Not yet expired (a finished job is forgotten at its <c>ExpiresAt</c>, even before the purge removes the row).</summary>
    private string Remembered => $"({_expires} IS NULL OR {_expires} > @now)";

    /// <summary>One page of <paramref name="filter"/>'s jobs after <paramref name="after"/>, newest first; sets the command's text and parameters.</summary>
    public void Search(DbCommand command, JobFilter filter, (long CreatedAt, string Id)? after, int limit)
    {
        var where = Where(command, filter);
        if (after is { } position)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND ({_created}, {_id}) < (@afterCreated, @afterId)");
            command.With("@afterCreated", position.CreatedAt).With("@afterId", position.Id);
        }

        command.CommandText = $"{_select} WHERE {where} ORDER BY {_created} DESC, {_id} DESC LIMIT @limit";
        command.With("@limit", limit);
    }

    /// <summary>Requeues at most <see cref="BatchSize"/> dead jobs of <paramref name="filter"/>.</summary>
    public void RequeueBatch(DbCommand command, JobFilter filter)
    {
        var where = Where(command, filter);
        command.CommandText = $"UPDATE {_table} SET {_requeueSet} WHERE {_id} IN " +
            $"(SELECT {_id} FROM {_table} WHERE {where} AND {_state} IN {Requeueable} LIMIT {BatchSize}{_lockClause}) AND {_state} IN {Requeueable}";
    }

    /// <summary>Deletes at most <see cref="BatchSize"/> finished jobs of <paramref name="filter"/>, returning each one's queue, idempotency key and id.</summary>
    public void DeleteBatch(DbCommand command, JobFilter filter)
    {
        var where = Where(command, filter);
        command.CommandText = $"DELETE FROM {_table} WHERE {_id} IN " +
            $"(SELECT {_id} FROM {_table} WHERE {where} AND {_state} IN {Finished} LIMIT {BatchSize}{_lockClause}) AND {_state} IN {Finished} {DeleteReturning}";
    }

    /// <summary>The filter's conditions (and the parameters they name); <c>@now</c> is the caller's to add.</summary>
    private StringBuilder Where(DbCommand command, JobFilter filter)
    {
        var where = new StringBuilder(Remembered);
        if (filter.State is { } state)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND {_state} = @state");
            command.With("@state", (int)state);
        }

        if (filter.Queue is { } queue)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND {_queue} = @queue");
            command.With("@queue", queue);
        }

        if (filter.JobType is { } type)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND {_type} = @type");
            command.With("@type", type);
        }

        if (filter.Owner is { } owner)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND {_owner} = @owner");
            command.With("@owner", owner);
        }

        if (filter.CreatedAfter is { } createdAfter)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND {_created} >= @createdAfter");
            command.With("@createdAfter", createdAfter.ToUnixTimeMilliseconds());
        }

        if (filter.CreatedBefore is { } createdBefore)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND {_created} < @createdBefore");
            command.With("@createdBefore", createdBefore.ToUnixTimeMilliseconds());
        }

        if (filter.FinishedBefore is { } finishedBefore)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND {_state} IN {Finished} AND {_completed} < @finishedBefore");
            command.With("@finishedBefore", finishedBefore.ToUnixTimeMilliseconds());
        }

        return where;
    }
}
