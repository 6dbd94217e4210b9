using System.Globalization;

namespace Strata.Jobs;

/// <summary>Reads the admin endpoints' query parameters; a bad value gives an error that names the parameter and the fix.</summary>
internal static class AdminQueryParser
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = Internal.JobAdmin.MaxPageSize;

    private static readonly string StateNames = string.Join(", ", Enum.GetNames<JobState>());

    /// <summary>The filter, or the error (null filter) describing the first bad parameter.</summary>
    public static (JobFilter? Filter, string? Error) ReadFilter(AdminFilterQuery query)
    {
        JobState? state = null;
        if (Present(query.State) is { } stateText)
        {
            if (!TryReadState(stateText, out var s))
            {
                return (null, $"The query parameter 'state' must be one of {StateNames} (is {Quote(stateText)}).");
            }

            state = s;
        }

        if (!TryReadTime("createdAfter", query.CreatedAfter, out var createdAfter, out var error)
            || !TryReadTime("createdBefore", query.CreatedBefore, out var createdBefore, out error)
            || !TryReadTime("finishedBefore", query.FinishedBefore, out var finishedBefore, out error))
        {
            return (null, error);
        }

        return (new JobFilter
        {
            State = state,
            Queue = Present(query.Queue),
            JobType = Present(query.Type),
            Owner = Present(query.Owner),
            CreatedAfter = createdAfter,
            CreatedBefore = createdBefore,
            FinishedBefore = finishedBefore,
        }, null);
    }

    /// <summary>The page size, or the error.</summary>
    public static (int Limit, string? Error) ReadLimit(string? text)
    {
        if (Present(text) is not { } value)
        {
            return (DefaultLimit, null);
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= MaxLimit
            ? (limit, null)
            : (0, $"The query parameter 'limit' must be a whole number from 1 to {MaxLimit} (is {Quote(value)}).");
    }

    private static string? Present(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>The caller's text in quotes, cut at 64 characters so an error never echoes a whole query string.</summary>
    private static string Quote(string value) => value.Length <= 64 ? $"'{value}'" : $"'{value[..64]}...'";

    /// <summary>A state by name, case-insensitive; numbers are refused (they would tie clients to the enum's values).</summary>
    private static bool TryReadState(string text, out JobState state)
    {
        foreach (var candidate in Enum.GetValues<JobState>())
        {
            if (string.Equals(candidate.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    private static bool TryReadTime(string name, string? text, out DateTimeOffset? time, out string? error)
    {
        time = null;
        error = null;
        if (Present(text) is not { } value)
        {
            return true;
        }

        // A space is refused rather than read: it is most often the '+' of an offset that the query string decoded.
        if (!value.Contains(' ', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }

        error = $"The query parameter '{name}' must be a date and time in ISO 8601 form, for example 2026-12-07T18:00:00Z (is {Quote(value)}); " +
            "write a '+' in an offset as %2B.";
        return false;
    }
}
