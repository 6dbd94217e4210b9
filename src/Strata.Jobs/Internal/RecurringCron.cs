using System.Collections.Concurrent;
using Cronos;

namespace Strata.Jobs.Internal;

/// <summary>
/// Cron expressions and time zones of recurring jobs, on Cronos: five fields (minute first), or six with seconds first,
/// chosen by the number of fields; Cronos' macros (<c>@daily</c>, <c>@hourly</c>, ...) too. Occurrences are computed in
/// the schedule's time zone, so daylight-saving transitions behave as Cronos defines them: a time that falls in a
/// spring-forward gap fires at the end of the gap, a time repeated by a fall-back fires once (at its first instance),
/// and interval expressions (every N minutes) keep running through both.
/// </summary>
internal static class RecurringCron
{
    private const int CacheLimit = 1024;
    private static readonly ConcurrentDictionary<string, CronExpression> Parsed = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="cron"/>; an <see cref="ArgumentException"/> names what is wrong and how to write it.</summary>
    public static CronExpression Parse(string cron, string paramName = "cron")
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            throw new ArgumentException("The cron expression is empty; give five fields (minute hour day-of-month month day-of-week), for example \"0 3 * * *\".", paramName);
        }

        if (Parsed.TryGetValue(cron, out var cached))
        {
            return cached;
        }

        var fields = cron.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        var format = fields switch
        {
            5 => CronFormat.Standard,
            6 => CronFormat.IncludeSeconds,
            1 when cron.TrimStart().StartsWith('@') => CronFormat.Standard,
            _ => throw new ArgumentException(
                $"The cron expression \"{cron}\" has {fields} field(s); give five (minute hour day-of-month month day-of-week, for example \"0 3 * * *\") or six with seconds first (for example \"*/10 * * * * *\").",
                paramName),
        };

        CronExpression expression;
        try
        {
            expression = CronExpression.Parse(cron, format);
        }
        catch (CronFormatException ex)
        {
            throw new ArgumentException($"The cron expression \"{cron}\" is not valid: {ex.Message}", paramName, ex);
        }

        if (Parsed.Count >= CacheLimit)
        {
            Parsed.Clear();
        }

        Parsed[cron] = expression;
        return expression;
    }

    /// <summary>The id stored for <paramref name="zone"/> (UTC when null); an <see cref="ArgumentException"/> when other hosts could not find it by id.</summary>
    public static string GetTimeZoneId(TimeZoneInfo? zone, string paramName = "options")
    {
        if (zone is null || zone.Id == TimeZoneInfo.Utc.Id)
        {
            return TimeZoneInfo.Utc.Id;
        }

        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(zone.Id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException(
                $"RecurringJobOptions.TimeZone '{zone.Id}' is not a system time zone, so the hosts that fire the schedule cannot find it by id; use TimeZoneInfo.FindSystemTimeZoneById with an IANA id such as \"Europe/Berlin\".",
                paramName,
                ex);
        }

        return zone.Id;
    }

    /// <summary>Finds a stored time zone id; throws <see cref="TimeZoneNotFoundException"/> when this host lacks it.</summary>
    public static TimeZoneInfo FindTimeZone(string id) =>
        id == TimeZoneInfo.Utc.Id ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);

    /// <summary>The first occurrence strictly after <paramref name="after"/>, in UTC; null when there is none.</summary>
    public static DateTimeOffset? Next(RecurringSchedule schedule, DateTimeOffset after) =>
        Parse(schedule.Cron).GetNextOccurrence(after, FindTimeZone(schedule.TimeZone), inclusive: false)?.ToUniversalTime();

    /// <summary>The last occurrence at or before <paramref name="atOrBefore"/>, in UTC; null when there is none.</summary>
    public static DateTimeOffset? Latest(RecurringSchedule schedule, DateTimeOffset atOrBefore) =>
        Parse(schedule.Cron).GetPreviousOccurrence(atOrBefore, FindTimeZone(schedule.TimeZone), inclusive: true)?.ToUniversalTime();
}
