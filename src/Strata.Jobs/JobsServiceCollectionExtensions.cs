using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Strata.Jobs;
using Strata.Jobs.Backends;
using Strata.Jobs.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Strata job queue to a service collection.</summary>
public static class JobsServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IJobQueue"/>, <see cref="IJobStore"/>, the workers (a hosted service) and the in-memory
    /// backend. Chain <c>AddHandler</c> for each job type, and <c>UseRedis</c> (Strata.Jobs.Redis) to scale out.
    /// Calling it twice is harmless.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts <see cref="JobsOptions"/>; validated when the host starts.</param>
    /// <returns>A builder for job types and the backend.</returns>
    public static JobsBuilder AddStrataJobs(this IServiceCollection services, Action<JobsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.AddOptions<JobsOptions>();
        services.AddOptions<InMemoryJobsOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobsOptions>, JobsOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InMemoryJobsOptions>, InMemoryJobsOptionsValidator>());
        services.AddOptions<JobsOptions>().ValidateOnStart();
        services.AddOptions<InMemoryJobsOptions>().ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<JobTypeRegistry>();
        services.TryAddSingleton<RunningJobs>();
        services.TryAddSingleton<IRunningJobs>(static sp => sp.GetRequiredService<RunningJobs>());
        services.TryAddSingleton<JobsMetrics>();
        services.TryAddSingleton<IJobBackend, InMemoryJobBackend>();
        services.TryAddSingleton<JobQueue>();
        services.TryAddSingleton<IJobQueue>(sp => sp.GetRequiredService<JobQueue>());
        services.TryAddSingleton<IJobStore>(sp => sp.GetRequiredService<JobQueue>());
        services.TryAddSingleton<IJobAdmin, JobAdmin>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, JobWorker>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, JobsGaugeSampler>());
        services.TryAddSingleton<RecurringStore>();
        services.TryAddSingleton<RecurringJobs>();
        services.TryAddSingleton<IRecurringJobs>(static sp => sp.GetRequiredService<RecurringJobs>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RecurringScheduler>());
        return new JobsBuilder(services);
    }

    /// <summary>Adds a health check of the job backend: unhealthy when the backend cannot be reached, degraded when a queue is full.</summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="tags">Tags for filtering.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddStrataJobsHealthCheck(this IHealthChecksBuilder builder, string name = "strata-jobs", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        
        // Resolved here rather than by activation, so a forgotten AddStrataJobs() names the call instead of an internal type.
        return builder.Add(new HealthCheckRegistration(
            name,
            static services => new JobsHealthCheck(JobsServices.GetBackend(services, "using AddStrataJobsHealthCheck()")),
            failureStatus: null,
            tags: tags ?? []));
    }
}
