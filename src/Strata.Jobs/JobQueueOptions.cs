namespace Strata.Jobs;

/// <summary>One named queue.</summary>
public sealed class JobQueueOptions
{
    /// <summary>The queue's name: letters, digits, '-' and '_'.</summary>
    public required string Name { get; init; }

    /// <summary>The queue's share when several queues have work.</summary>
    /// <value>Defaults to 1.</value>
    public int Weight { get; init; } = 1;

    /// <summary>The most jobs of this queue running at once on this host; null for no limit beyond <see cref="JobsOptions.Concurrency"/>.</summary>
    /// <value>Defaults to null.</value>
    public int? MaxConcurrency { get; init; }

    /// <summary>
    /// The most jobs of this queue running at once across every host that shares the backend; null for no fleet-wide
    /// cap. A job over the cap waits (it spends no attempt) and runs when a slot frees.
    /// </summary>
    /// <value>Defaults to null.</value>
    public int? FleetMaxConcurrency { get; init; }

    /// <summary>The most jobs of this queue started in any window, across every host that shares the backend; null for none.</summary>
    /// <value>Defaults to null.</value>
    public JobRateLimit? RateLimit { get; init; }
}
