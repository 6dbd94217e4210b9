namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>
/// The statements of the fleet-wide flags and schedules: a paused queue is a row; a schedule is a row whose version
/// every write compares and raises in one statement, so of several writers that read one version exactly one writes.
/// </summary>
internal sealed class ScheduleSql
{
    public ScheduleSql(MappedTable pauses, MappedTable schedules)
    {
        string queue = pauses["Queue"], pausedAt = pauses["PausedAt"];
        Pause = $"INSERT INTO {pauses.Name} ({queue}, {pausedAt}) VALUES (@queue, @now) ON CONFLICT ({queue}) DO NOTHING";
        Resume = $"DELETE FROM {pauses.Name} WHERE {queue} = @queue";
        Paused = $"SELECT {queue} FROM {pauses.Name}";

        string name = schedules["Name"], version = schedules["Version"], data = schedules["Data"];
        All = $"SELECT {name}, {version}, {data} FROM {schedules.Name}";
        Create = $"INSERT INTO {schedules.Name} ({name}, {version}, {data}) VALUES (@name, 1, @data) ON CONFLICT ({name}) DO NOTHING";
        Update = $"UPDATE {schedules.Name} SET {version} = @expected + 1, {data} = @data WHERE {name} = @name AND {version} = @expected";
        Delete = $"DELETE FROM {schedules.Name} WHERE {name} = @name";
    }

    public string Pause { get; }

    public string Resume { get; }

    public string Paused { get; }

    public string All { get; }

    /// <summary>Writes version 1 unless the name exists (one row affected: written).</summary>
    public string Create { get; }

    /// <summary>Writes version <c>@expected + 1</c> if the stored version is <c>@expected</c> (one row affected: written).</summary>
    public string Update { get; }

    public string Delete { get; }
}
