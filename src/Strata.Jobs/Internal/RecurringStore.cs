using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// Reads and writes schedules in the backend. Every write is compare-and-set on the entry's version
/// (<see cref="IJobBackend.SaveScheduleAsync"/>); <see cref="UpdateAsync"/> retries a lost write after a re-read, so
/// changes made at once on several hosts all land, one after the other.
/// </summary>
internal sealed class RecurringStore(IJobBackend backend, TimeProvider time, ILoggerFactory loggerFactory)
{
    /// <summary>Writes lost to other writers in a row before giving up; each loss means another write landed.</summary>
    private const int MaxConflicts = 64;

    private readonly ILogger _logger = loggerFactory.CreateLogger(RecurringLog.Category);
    private readonly ConcurrentDictionary<(string Name, long Version), byte> _unreadable = new();

    public IJobBackend Backend => backend;

    public TimeProvider Time => time;

    /// <summary>Every stored schedule that this version of Strata can read, with its entry; unreadable ones are logged and left out.</summary>
    public async ValueTask<List<(JobScheduleEntry Entry, RecurringSchedule Schedule)>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var entries = await backend.GetSchedulesAsync(cancellationToken).ConfigureAwait(false);
        var schedules = new List<(JobScheduleEntry, RecurringSchedule)>(entries.Count);
        foreach (var entry in entries)
        {
            if (TryRead(entry) is { } schedule)
            {
                schedules.Add((entry, schedule));
            }
        }

        return schedules;
    }

    /// <summary>One schedule with its entry, or null (the contract reads schedules all at once).</summary>
    public async ValueTask<(JobScheduleEntry Entry, RecurringSchedule Schedule)?> ReadAsync(string name, CancellationToken cancellationToken)
    {
        var (entry, schedule) = await ReadEntryAsync(name, cancellationToken).ConfigureAwait(false);
        return schedule is null ? null : (entry!, schedule);
    }

    /// <summary>Writes <paramref name="schedule"/> over <paramref name="entry"/> if nobody wrote it since it was read.</summary>
    public ValueTask<bool> TrySaveAsync(JobScheduleEntry entry, RecurringSchedule schedule, CancellationToken cancellationToken) =>
        backend.SaveScheduleAsync(entry.Name, Serialize(schedule), entry.Version, cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> to the stored schedule (null when there is none) and writes the result, again
    /// after a re-read whenever another writer got there first. <paramref name="change"/> returns null to write nothing.
    /// </summary>
    /// <returns>The schedule as stored afterwards, or null when there is none.</returns>
    public async ValueTask<RecurringSchedule?> UpdateAsync(string name, Func<RecurringSchedule?, DateTimeOffset, RecurringSchedule?> change, CancellationToken cancellationToken)
    {
        for (var conflicts = 0; ; conflicts++)
        {
            // An entry this version cannot read counts as no schedule, and a new definition replaces it.
            var (entry, current) = await ReadEntryAsync(name, cancellationToken).ConfigureAwait(false);
            var changed = change(current, time.GetUtcNow());
            if (changed is null || changed == current)
            {
                return current;
            }

            var data = Serialize(changed);
            if (await backend.SaveScheduleAsync(name, data, entry?.Version ?? 0, cancellationToken).ConfigureAwait(false))
            {
                return changed;
            }

            if (conflicts == MaxConflicts)
            {
                throw new InvalidOperationException($"Recurring job '{name}' was changed by other writers {MaxConflicts} times while this change was written; try again.");
            }
        }
    }

    /// <summary>
    /// Stores a definition (created, or replacing the stored one): the pause flag and run history are kept, and the next
    /// run is kept unless the cron expression or time zone changed (then it is the next occurrence after now).
    /// </summary>
    public ValueTask<RecurringSchedule?> UpsertAsync(string name, RecurringSchedule definition, CancellationToken cancellationToken) =>
        UpdateAsync(name, (stored, now) => Merge(stored, definition, now), cancellationToken);

    public static RecurringSchedule Merge(RecurringSchedule? stored, RecurringSchedule definition, DateTimeOffset now)
    {
        if (stored is null)
        {
            return definition with { Paused = false, NextRunAt = RecurringCron.Next(definition, now), LastRunAt = null, LastJobId = null };
        }

        var next = stored.Paused ? null
            : stored.SameTiming(definition) && stored.NextRunAt is not null ? stored.NextRunAt
            : RecurringCron.Next(definition, now);
        return definition with { Paused = stored.Paused, NextRunAt = next, LastRunAt = stored.LastRunAt, LastJobId = stored.LastJobId };
    }

    public static string Serialize(RecurringSchedule schedule) => JsonSerializer.Serialize(schedule, RecurringJsonContext.Default.RecurringSchedule);

    private async ValueTask<(JobScheduleEntry? Entry, RecurringSchedule? Schedule)> ReadEntryAsync(string name, CancellationToken cancellationToken)
    {
        var entries = await backend.GetSchedulesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            if (string.Equals(entry.Name, name, StringComparison.Ordinal))
            {
                return (entry, TryRead(entry));
            }
        }

        return (null, null);
    }

    private RecurringSchedule? TryRead(JobScheduleEntry entry)
    {
        try
        {
            return JsonSerializer.Deserialize(entry.Data, RecurringJsonContext.Default.RecurringSchedule)
                ?? throw new JsonException("The data is JSON null.");
        }
        catch (JsonException ex)
        {
            // Once per stored version, not on every pass of the scheduler.
            if (_unreadable.TryAdd((entry.Name, entry.Version), 0))
            {
                RecurringLog.Unreadable(_logger, entry.Name, entry.Version, ex);
            }

            return null;
        }
    }
}
