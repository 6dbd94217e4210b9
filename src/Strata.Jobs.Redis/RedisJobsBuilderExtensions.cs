using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Strata.Jobs;
using Strata.Jobs.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Selects the Redis backend for Strata.Jobs.</summary>
public static class RedisJobsBuilderExtensions
{
    /// <summary>Keeps jobs in Redis (6.2 or newer), through the <c>IConnectionMultiplexer</c> registered in DI. Calling it twice is harmless.</summary>
    /// <param name="builder">The builder returned by <c>AddStrataJobs</c>.</param>
    /// <returns>The builder.</returns>
    public static JobsBuilder UseRedis(this JobsBuilder builder) => builder.UseRedis(static _ => { });

    /// <summary>
    /// Keeps jobs in Redis (6.2 or newer): one Stream per queue read through a consumer group, at-least-once.
    /// The connection comes from the first of <see cref="RedisJobsOptions.ConnectionMultiplexerFactory"/>,
    /// <see cref="RedisJobsOptions.ConfigurationOptions"/>, <see cref="RedisJobsOptions.Configuration"/> and
    /// <see cref="RedisJobsOptions.ConnectionServiceKey"/> that is set, else from the <c>IConnectionMultiplexer</c> in DI.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddStrataJobs</c>.</param>
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
        return builder.UseBackend<RedisJobBackend>();
    }

    /// <summary>Keeps jobs in the Redis named by <paramref name="configuration"/>; the backend owns that connection.</summary>
    /// <param name="builder">The builder returned by <c>AddStrataJobs</c>.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, for example <c>"localhost:6379"</c>; <c>abortConnect=false</c> is applied so a host starts while Redis is down.</param>
    /// <returns>The builder.</returns>
    public static JobsBuilder UseRedis(this JobsBuilder builder, string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return builder.UseRedis(o => o.Configuration = configuration);
    }

    /// <summary>Keeps jobs in the Redis named by <paramref name="configuration"/>, with more settings.</summary>
    /// <param name="builder">The builder returned by <c>AddStrataJobs</c>.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, for example <c>"localhost:6379"</c>.</param>
    /// <param name="configure">Adjusts the backend's settings; validated when the host starts.</param>
    /// <returns>The builder.</returns>
    public static JobsBuilder UseRedis(this JobsBuilder builder, string configuration, Action<RedisJobsOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.UseRedis(o =>
        {
            o.Configuration = configuration;
            configure(o);
        });
    }
}
