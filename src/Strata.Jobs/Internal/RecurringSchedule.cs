using System.Text.Json.Serialization;

namespace Strata.Jobs.Internal;

/// <summary>
/// A recurring job as Strata stores it in <see cref="Backends.JobScheduleEntry.Data"/> (JSON, <see cref="RecurringJsonContext"/>):
/// its definition (what to enqueue, when, how) and its state (paused, next and last run). Every change is written with
/// compare-and-set on the entry's version (<see cref="RecurringStore"/>).
/// </summary>
internal sealed record RecurringSchedule
{
    /// <summary>The job type's registered name.</summary>
    public required string JobType { get; init; }

    public required string Queue { get; init; }

    /// <summary>The payload every occurrence gets, as JSON.</summary>
    public required string Payload { get; init; }

    public required string Cron { get; init; }

    /// <summary>The id of the time zone the cron expression is read in (a system time zone).</summary>
    public required string TimeZone { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<RecurringMisfirePolicy>))]
    public RecurringMisfirePolicy Misfire { get; init; }

    public bool AllowOverlap { get; init; } = true;

    /// <summary>Null for the firing host's <see cref="JobsOptions.MaxAttempts"/>.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>Null for the firing host's <see cref="JobsOptions.DefaultTimeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    public string? LimitKey { get; init; }

    public bool Paused { get; init; }

    /// <summary>The occurrence to fire next (UTC); null while paused or when the expression has no later occurrence.</summary>
    public DateTimeOffset? NextRunAt { get; init; }

    /// <summary>The last occurrence that enqueued a job.</summary>
    public DateTimeOffset? LastRunAt { get; init; }

    /// <summary>The job the last occurrence or trigger enqueued.</summary>
    public string? LastJobId { get; init; }

    /// <summary>True when the two describe the same job on the same schedule (state aside).</summary>
    public bool SameDefinition(RecurringSchedule other) =>
        JobType == other.JobType && Queue == other.Queue && Payload == other.Payload && SameTiming(other) &&
        Misfire == other.Misfire && AllowOverlap == other.AllowOverlap && MaxAttempts == other.MaxAttempts &&
        Timeout == other.Timeout && LimitKey == other.LimitKey;

    /// <summary>True when the cron expression and time zone are the same, so the stored next run still holds.</summary>
    public bool SameTiming(RecurringSchedule other) =>
        string.Equals(Cron, other.Cron, StringComparison.Ordinal) && string.Equals(TimeZone, other.TimeZone, StringComparison.Ordinal);

    /// <summary>The options each occurrence's job is enqueued with.</summary>
    public JobOptions ToJobOptions(string? idempotencyKey) => new()
    {
        Queue = Queue,
        MaxAttempts = MaxAttempts,
        Timeout = Timeout,
        LimitKey = LimitKey,
        IdempotencyKey = idempotencyKey,
    };

    public RecurringJobInfo ToInfo(string name) => new()
    {
        Name = name,
        Cron = Cron,
        TimeZone = TimeZone,
        JobType = JobType,
        Queue = Queue,
        Paused = Paused,
        Misfire = Misfire,
        AllowOverlap = AllowOverlap,
        NextRunAt = NextRunAt,
        LastRunAt = LastRunAt,
        LastJobId = LastJobId,
    };
}
