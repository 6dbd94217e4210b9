using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Strata.Jobs.Backends;
using Strata.Jobs.Internal;

namespace Strata.Jobs;

/// <summary>Registers job types, handlers and the backend. Returned by <c>services.AddStrataJobs()</c>.</summary>
public sealed class JobsBuilder
{
    internal JobsBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The service collection the jobs are registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers a job type that this host enqueues but does not run (an API-only role). Job types with a
    /// handler are registered by <see cref="AddHandler{TJob, THandler}(string?, JsonTypeInfo{TJob}?)"/>.
    /// </summary>
    /// <param name="name">The name stored with each job; every host that shares the queue must use the same. Defaults to the type's name.</param>
    /// <param name="typeInfo">Serializer metadata for the payload (source-generation friendly); defaults to <see cref="JobsOptions.SerializerOptions"/>.</param>
    /// <returns>This builder.</returns>
    public JobsBuilder AddJob<TJob>(string? name = null, JsonTypeInfo<TJob>? typeInfo = null)
    {
        Services.AddSingleton(JobTypeRegistration.Create(name, typeInfo, handlerType: null));
        return this;
    }

    /// <summary>Registers a job type and the handler that runs it. The handler is resolved from a new DI scope for every job.</summary>
    /// <typeparam name="TJob">The payload type.</typeparam>
    /// <typeparam name="THandler">
    /// The handler; registered as transient unless already registered. Each job resolves it once, from the job's own
    /// scope, so its scoped dependencies are the job's own either way; transient spares the scope a cache per job.
    /// </typeparam>
    /// <param name="name">The name stored with each job; every host that shares the queue must use the same. Defaults to the type's name.</param>
    /// <param name="typeInfo">Serializer metadata for the payload (source-generation friendly); defaults to <see cref="JobsOptions.SerializerOptions"/>.</param>
    /// <returns>This builder.</returns>
    public JobsBuilder AddHandler<TJob, THandler>(string? name = null, JsonTypeInfo<TJob>? typeInfo = null)
        where THandler : class, IJobHandler<TJob>
    {
        Services.TryAddTransient<THandler>();
        Services.TryAddTransient<IJobHandler<TJob>>(sp => sp.GetRequiredService<THandler>());
        Services.AddSingleton(JobTypeRegistration.Create(name, typeInfo, typeof(THandler)));
        return this;
    }

    /// <summary>
    /// Registers a recurring job: <paramref name="job"/> is enqueued at every occurrence of <paramref name="cron"/>,
    /// exactly once across every host that shares the backend. The schedule is written to the backend when the host
    /// starts: its definition replaces the stored one, while its pause flag and run history are kept (its next run is
    /// recomputed when the cron expression or time zone changed). Change it at run time with <see cref="IRecurringJobs"/>.
    /// </summary>
    /// <typeparam name="TJob">A job type registered with <c>AddHandler</c> or <c>AddJob</c> (checked at start).</typeparam>
    /// <param name="name">The schedule's name, unique per backend: 1 to 100 ASCII letters, digits, '-', '_' and '.'.</param>
    /// <param name="cron">A cron expression: five fields (<c>"0 3 * * *"</c>: 03:00 every day), or six with seconds first (Cronos syntax).</param>
    /// <param name="job">The payload every occurrence gets.</param>
    /// <param name="configure">Sets the time zone, queue, misfire policy, overlap, attempts, timeout or rate limit.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name or cron expression is invalid, the name is registered twice, or the time zone is not a system time zone.</exception>
    public JobsBuilder AddRecurring<TJob>(string name, string cron, TJob job, Action<RecurringJobOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(cron);
        ArgumentNullException.ThrowIfNull(job);
        var options = new RecurringJobOptions();
        configure?.Invoke(options);
        RecurringValidation.ValidateStatic(name, cron, options);
        if (Services.Any(d => !d.IsKeyedService && d.ImplementationInstance is RecurringRegistration r && string.Equals(r.Name, name, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"A recurring job named \"{name}\" is already registered; give each AddRecurring call a name of its own.", nameof(name));
        }

        Services.AddSingleton<RecurringRegistration>(new RecurringRegistration<TJob>(name, cron, job, options));
        return this;
    }

    /// <summary>Keeps jobs in this process, in bounded channels (the default backend). Jobs are lost if the process stops: at-most-once.</summary>
    /// <param name="configure">Adjusts the backend's settings.</param>
    /// <returns>This builder.</returns>
    public JobsBuilder UseInMemory(Action<InMemoryJobsOptions>? configure = null)
    {
        if (configure is not null)
        {
            Services.Configure(configure);
        }

        Services.Replace(ServiceDescriptor.Singleton<IJobBackend, InMemoryJobBackend>());
        return this;
    }

    /// <summary>
    /// Keeps jobs in <typeparamref name="TBackend"/>, resolved from DI as a singleton (its constructor may take
    /// <see cref="IRunningJobs"/>, <see cref="TimeProvider"/>, options and loggers). Replaces the backend chosen before.
    /// </summary>
    /// <typeparam name="TBackend">The backend; see <see cref="IJobBackend"/> for the rules it keeps.</typeparam>
    /// <returns>This builder.</returns>
    public JobsBuilder UseBackend<TBackend>()
        where TBackend : class, IJobBackend
    {
        Services.TryAddSingleton<TBackend>();
        return UseBackend(static services => services.GetRequiredService<TBackend>());
    }

    /// <summary>Keeps jobs in the backend <paramref name="factory"/> makes, once per host. Replaces the backend chosen before.</summary>
    /// <param name="factory">Makes the backend from the host's services.</param>
    /// <returns>This builder.</returns>
    public JobsBuilder UseBackend(Func<IServiceProvider, IJobBackend> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.Replace(ServiceDescriptor.Singleton(factory));
        return this;
    }
}
