namespace Strata.Jobs;

/// <summary>What a recurring job does about occurrences missed while no host ran.</summary>
public enum RecurringMisfirePolicy
{
    /// <summary>Enqueue one job for all the missed occurrences together, then go on with the schedule.</summary>
    FireOnce = 0,

    /// <summary>Enqueue nothing for missed occurrences; go on with the next occurrence after now.</summary>
    Skip = 1,
}
