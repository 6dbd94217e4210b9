namespace Strata.Jobs.Internal;

/// <summary>
/// A recurring job registered in code (<c>AddRecurring</c>), kept in DI until the host starts; the scheduler then
/// writes it to the backend (<see cref="RecurringScheduler"/>). Checked when registered as far as possible without the
/// host's services; the queue, rate limit and job type are checked at start.
/// </summary>
internal abstract class RecurringRegistration(string name, string cron, RecurringJobOptions options)
{
    public string Name { get; } = name;

    public string Cron { get; } = cron;

    public RecurringJobOptions Options { get; } = options;

    /// <summary>The schedule to store; throws when the job type, queue or rate limit is not configured on this host.</summary>
    public abstract RecurringSchedule CreateDefinition(JobTypeRegistry registry, JobsOptions jobsOptions);
}
