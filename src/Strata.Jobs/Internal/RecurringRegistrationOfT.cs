namespace Strata.Jobs.Internal;

internal sealed class RecurringRegistration<TJob>(string name, string cron, TJob job, RecurringJobOptions options)
    : RecurringRegistration(name, cron, options)
{
    public override RecurringSchedule CreateDefinition(JobTypeRegistry registry, JobsOptions jobsOptions) =>
        RecurringValidation.CreateDefinition(Name, Cron, job, Options, registry, jobsOptions);
}
