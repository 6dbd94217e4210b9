using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Strata.Jobs;
using Strata.Jobs.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Selects the Redis backend for Strata.Jobs.</summary>
public static class RedisJobsBuilderExtensions
{
    /// <summary>Keeps jobs in Redis (6.2 or newer), through the <c>IConnectionMultiplexer</c> registered in DI.</summary>
    /// <param name="builder">The builder returned by <c>AddJobs</c>.</param>
    /// <returns>The builder.</returns>
    public static JobsBuilder UseRedis(this JobsBuilder builder) => builder.UseRedis(static _ => { });

    /// <summary>
    /// Keeps jobs in Redis (6.2 or newer): one Stream per queue read through a consumer group, at-least-once.
    /// Uses the <c>IConnectionMultiplexer</c> registered in DI, or connects with <see cref="RedisJobsOptions.Configuration"/>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddJobs</c>.</param>
    /// <param name="configure">Adjusts the backend's settings; validated when the host starts.</param>
    /// <returns>The builder.</returns>
    public static JobsBuilder UseRedis(this JobsBuilder builder, Action<RedisJobsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.Configure(configure);

        services.AddOptions<RedisJobsOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisJobsOptions>, RedisJobsOptionsValidator>());
        services.TryAddSingleton<RedisOutage>();
        services.TryAddSingleton<RedisConnection>();
        services.Replace(ServiceDescriptor.Singleton<IJobBackend, RedisJobBackend>());
        return builder;
    }

    /// <summary>Keeps jobs in Redis, connecting with <paramref name="configuration"/> unless an <c>IConnectionMultiplexer</c> is registered.</summary>
    /// <param name="builder">The builder returned by <c>AddJobs</c>.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, for example <c>"localhost:6379"</c>.</param>
    /// <returns>The builder.</returns>
    public static JobsBuilder UseRedis(this JobsBuilder builder, string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return builder.UseRedis(o => o.Configuration = configuration);
    }
}
