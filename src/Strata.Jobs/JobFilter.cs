namespace Strata.Jobs;

/// <summary>
/// Which jobs a search or a bulk operation of <see cref="IJobAdmin"/> covers. Every property is optional; the ones
/// set must all match (an empty filter matches every job the backend remembers).
/// </summary>
public sealed record JobFilter
{
    /// <summary>Only jobs in this state.</summary>
    public JobState? State { get; init; }

    /// <summary>Only jobs of this queue.</summary>
    public string? Queue { get; init; }

    /// <summary>Only jobs of this registered job type name.</summary>
    public string? JobType { get; init; }

    /// <summary>Only jobs enqueued with this owner tag (ordinal comparison).</summary>
    public string? Owner { get; init; }

    /// <summary>Only jobs created at or after this time.</summary>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary>Only jobs created before this time.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Only finished jobs (succeeded, dead or cancelled) that finished before this time.</summary>
    public DateTimeOffset? FinishedBefore { get; init; }
}
