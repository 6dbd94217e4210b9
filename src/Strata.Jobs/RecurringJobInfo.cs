using System.Text.Json.Serialization;

namespace Strata.Jobs;

/// <summary>A recurring job's schedule and history, as <see cref="IRecurringJobs"/> reports it.</summary>
public sealed class RecurringJobInfo
{
    /// <summary>The schedule's name.</summary>
    public required string Name { get; init; }

    /// <summary>The cron expression.</summary>
    public required string Cron { get; init; }

    /// <summary>The time zone's id the cron expression is read in.</summary>
    public required string TimeZone { get; init; }

    /// <summary>The job type's registered name.</summary>
    public required string JobType { get; init; }

    /// <summary>The queue the occurrences run on.</summary>
    public required string Queue { get; init; }

    /// <summary>True while paused.</summary>
    public bool Paused { get; init; }

    /// <summary>What happens to occurrences missed while no host ran.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<RecurringMisfirePolicy>))]
    public RecurringMisfirePolicy Misfire { get; init; }

    /// <summary>False when an occurrence is skipped while the previous one's job runs.</summary>
    public bool AllowOverlap { get; init; }

    /// <summary>The next occurrence; null while paused or when the expression has no later occurrence.</summary>
    public DateTimeOffset? NextRunAt { get; init; }

    /// <summary>The last occurrence that enqueued a job; null before the first.</summary>
    public DateTimeOffset? LastRunAt { get; init; }

    /// <summary>The id of the job the last occurrence (or trigger) enqueued; null before the first.</summary>
    public string? LastJobId { get; init; }
}
