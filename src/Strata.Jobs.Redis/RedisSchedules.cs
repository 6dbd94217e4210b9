using System.Globalization;
using StackExchange.Redis;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Redis;

/// <summary>
/// Recurring-job schedules in one hash (<c>{prefix}schedules</c>), one field per schedule holding
/// <c>&lt;version&gt;:&lt;data&gt;</c>; writes are compare-and-set in schedule_save.lua. One key, so one slot in a cluster.
/// </summary>
internal sealed class RedisSchedules(RedisBackendContext context)
{
    private readonly RedisKey _key = context.Options.KeyPrefix + "schedules";

    public async ValueTask<IReadOnlyList<JobScheduleEntry>> GetAllAsync()
    {
        var db = await context.AvailableDatabaseAsync().ConfigureAwait(false);
        var fields = await db.HashGetAllAsync(_key).ConfigureAwait(false);
        var entries = new List<JobScheduleEntry>(fields.Length);
        foreach (var field in fields)
        {
            var value = field.Value.ToString();
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(value.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                entries.Add(new JobScheduleEntry(field.Name.ToString(), version, value[(colon + 1)..]));
            }
        }

        return entries;
    }

    public async ValueTask<bool> SaveAsync(string name, string data, long expectedVersion)
    {
        var db = await context.AvailableDatabaseAsync().ConfigureAwait(false);
        var written = await RedisScript.ScheduleSave.EvaluateAsync(db, [_key], [name, data, expectedVersion]).ConfigureAwait(false);
        return (int)written == 1;
    }

    public async ValueTask<bool> DeleteAsync(string name)
    {
        var db = await context.AvailableDatabaseAsync().ConfigureAwait(false);
        return await db.HashDeleteAsync(_key, name).ConfigureAwait(false);
    }
}
