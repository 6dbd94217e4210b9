using System.Data.Common;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>Finding jobs, counting them, and requeueing or deleting many at once (set-based, in batches: safe to repeat).</summary>
internal sealed partial class EntityFrameworkJobBackend<TContext>
{
    public async ValueTask<JobPage> SearchAsync(JobFilter filter, string? cursor, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var after = cursor is null ? ((long, string)?)null : JobCursor.Decode(cursor, nameof(cursor));
        var jobs = new List<JobInfo>(Math.Min(limit, 256));
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            using var command = session.Command(string.Empty).With("@now", Ms(_time.GetUtcNow()));

            // One row more than the page tells whether another page follows.
            Sql(session).Search.Search(command, filter, after, limit + 1);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    jobs.Add(ReadInfo(reader));
                }
            }
        }

        if (jobs.Count <= limit)
        {
            return new JobPage(jobs, null);
        }

        jobs.RemoveAt(limit);
        var last = jobs[^1];
        return new JobPage(jobs, JobCursor.Encode(Ms(last.CreatedAt), last.Id));
    }

    public async ValueTask<IReadOnlyList<JobStateCount>> CountAsync(CancellationToken cancellationToken)
    {
        var counts = new List<JobStateCount>();
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            using var command = session.Command(Sql(session).Search.Count).With("@now", Ms(_time.GetUtcNow()));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    counts.Add(new JobStateCount(reader.GetString(0), (JobState)reader.GetInt32(1), reader.GetInt64(2)));
                }
            }
        }

        return counts;
    }

    public async ValueTask<DateTimeOffset?> GetOldestQueuedAsync(string queue, CancellationToken cancellationToken)
    {
        long? oldest = null;
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            using var command = session.Command(Sql(session).Search.OldestQueued).With("@queue", queue).With("@now", Ms(_time.GetUtcNow()));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (reader.NullableInt64(0) is { } since && (oldest is null || since < oldest))
                    {
                        oldest = since;
                    }
                }
            }
        }

        return oldest is { } ms ? Time(ms) : null;
    }

    public async ValueTask<long> RequeueManyAsync(JobFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        long requeued = 0;
        int batch;
        do
        {
            var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                using var command = session.Command(string.Empty).With("@now", Ms(_time.GetUtcNow())).With("@false", false);
                Sql(session).Search.RequeueBatch(command, filter);
                batch = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            requeued += batch;
            if (batch > 0)
            {
                _wake.Set();
            }
        }
        while (batch >= JobSearchSql.BatchSize);

        return requeued;
    }

    public async ValueTask<bool> DeleteAsync(string jobId, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var sql = Sql(session).Search;
            await session.BeginAsync(cancellationToken).ConfigureAwait(false);
            List<(string Queue, string Key, string Id)> keys = [];
            bool deleted;
            using (var command = session.Command(sql.DeleteOne).With("@id", jobId).With("@now", Ms(_time.GetUtcNow())))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    deleted = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    if (deleted && reader.NullableString(1) is { } key)
                    {
                        keys.Add((reader.GetString(0), key, jobId));
                    }
                }
            }

            await FreeKeysAsync(session, sql, keys, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return deleted;
        }
    }

    public async ValueTask<long> DeleteManyAsync(JobFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        long deleted = 0;
        int batch;
        do
        {
            var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                var sql = Sql(session).Search;
                await session.BeginAsync(cancellationToken).ConfigureAwait(false);
                List<(string Queue, string Key, string Id)> keys = [];
                batch = 0;
                using (var command = session.Command(string.Empty).With("@now", Ms(_time.GetUtcNow())))
                {
                    sql.DeleteBatch(command, filter);
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            batch++;
                            if (reader.NullableString(1) is { } key)
                            {
                                keys.Add((reader.GetString(0), key, reader.GetString(2)));
                            }
                        }
                    }
                }

                await FreeKeysAsync(session, sql, keys, cancellationToken).ConfigureAwait(false);
                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            deleted += batch;
        }
        while (batch >= JobSearchSql.BatchSize);

        return deleted;
    }

    /// <summary>Frees the idempotency keys the deleted jobs held (a key taken over by a later job stays that job's).</summary>
    private static async ValueTask FreeKeysAsync(DbSession session, JobSearchSql sql, List<(string Queue, string Key, string Id)> keys, CancellationToken cancellationToken)
    {
        foreach (var (queue, key, id) in keys)
        {
            using DbCommand free = session.Command(sql.FreeKey).With("@queue", queue).With("@key", key).With("@id", id);
            await free.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
