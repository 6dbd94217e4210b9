using Strata.Jobs.Backends;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>Fleet-wide flags and schedules: rows every node reads.</summary>
internal sealed partial class EntityFrameworkJobBackend<TContext>
{
    public async ValueTask SetQueuePausedAsync(string queue, bool paused, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var sql = Sql(session).Schedules;
            using var command = session.Command(paused ? sql.Pause : sql.Resume).With("@queue", queue);
            if (paused)
            {
                command.With("@now", Ms(_time.GetUtcNow()));
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!paused)
        {
            _wake.Set();
        }
    }

    public async ValueTask<IReadOnlyList<string>> GetPausedQueuesAsync(CancellationToken cancellationToken)
    {
        var queues = new List<string>();
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            using var command = session.Command(Sql(session).Schedules.Paused);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    queues.Add(reader.GetString(0));
                }
            }
        }

        return queues;
    }

    public async ValueTask<IReadOnlyList<JobScheduleEntry>> GetSchedulesAsync(CancellationToken cancellationToken)
    {
        var schedules = new List<JobScheduleEntry>();
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            using var command = session.Command(Sql(session).Schedules.All);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    schedules.Add(new JobScheduleEntry(reader.GetString(0), reader.GetInt64(1), reader.GetString(2)));
                }
            }
        }

        return schedules;
    }

    public async ValueTask<bool> SaveScheduleAsync(string name, string data, long expectedVersion, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var sql = Sql(session).Schedules;

            // One statement either way: the database compares and writes atomically, whoever else writes at once.
            using var command = session.Command(expectedVersion == 0 ? sql.Create : sql.Update).With("@name", name).With("@data", data);
            if (expectedVersion != 0)
            {
                command.With("@expected", expectedVersion);
            }

            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
    }

    public async ValueTask<bool> DeleteScheduleAsync(string name, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            using var command = session.Command(Sql(session).Schedules.Delete).With("@name", name);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
    }
}
