using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Strata.RateLimiting.Internal;
using Strata.RateLimiting.Redis;
using Strata.RateLimiting.Store;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Moves the state of Strata rate limiting to Redis.</summary>
public static class RedisRateLimitingServiceCollectionExtensions
{
    /// <summary>Keeps rate-limit state in the Redis named by <paramref name="connectionString"/> (a StackExchange.Redis configuration string); the store owns that connection.</summary>
    /// <param name="services">The services.</param>
    /// <param name="connectionString">For example <c>localhost:6379</c>; <c>abortConnect=false</c> is applied so a host starts while Redis is down.</param>
    public static IServiceCollection AddRedisRateLimiting(this IServiceCollection services, string connectionString) =>
        services.AddRedisRateLimiting(connectionString, _ => { });

    /// <summary>Keeps rate-limit state in the Redis named by <paramref name="connectionString"/>, with more options.</summary>
    /// <param name="services">The services.</param>
    /// <param name="connectionString">For example <c>localhost:6379</c>; <c>abortConnect=false</c> is applied so a host starts while Redis is down.</param>
    /// <param name="configure">More options.</param>
    public static IServiceCollection AddRedisRateLimiting(this IServiceCollection services, string connectionString, Action<RedisRateLimitingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return services.AddRedisRateLimiting(options =>
        {
            options.ConnectionString = connectionString;
            configure(options);
        });
    }

    /// <summary>
    /// Keeps rate-limit state in Redis through the <see cref="IConnectionMultiplexer"/> registered in DI
    /// (keyed by <see cref="RedisRateLimitingOptions.ConnectionServiceKey"/> when set), or the
    /// <see cref="RedisRateLimitingOptions.ConnectionString"/> when set. Calling it twice is harmless.
    /// </summary>
    /// <param name="services">The services.</param>
    public static IServiceCollection AddRedisRateLimiting(this IServiceCollection services) =>
        services.AddRedisRateLimiting(_ => { });

    /// <summary>
    /// Keeps rate-limit state in Redis, configured by <paramref name="configure"/>: the
    /// <see cref="IConnectionMultiplexer"/> from DI (keyed by <see cref="RedisRateLimitingOptions.ConnectionServiceKey"/>
    /// when set), or <see cref="RedisRateLimitingOptions.ConnectionString"/> when set.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Options; validated on start.</param>
    public static IServiceCollection AddRedisRateLimiting(this IServiceCollection services, Action<RedisRateLimitingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddStrataRateLimiting();
        var builder = services.AddOptions<RedisRateLimitingOptions>().Configure(configure);

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisRateLimitingOptions>, RedisRateLimitingOptionsValidator>());
        services.TryAddSingleton(CreateStore);
        services.TryAddSingleton<IRateLimitStore>(sp => sp.GetRequiredService<RedisRateLimitStore>());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RedisRateLimitingOptions>>().Value;
            return new StoreSettings
            {
                FailureThreshold = options.FailureThreshold,
                BreakDuration = options.BreakDuration,
                FallbackNodeCount = options.FallbackNodeCount,
                DenyCache = options.UseDenyCache,
            };
        });
        return services;
    }

    private static RedisRateLimitStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RedisRateLimitingOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            var configuration = ConfigurationOptions.Parse(options.ConnectionString);
            configuration.AbortOnConnectFail = false;
            configuration.BacklogPolicy = BacklogPolicy.FailFast;
            configuration.SetDefaultPorts();

            // Connected on first use, without blocking: a host starts (and fails over) while Redis is down.
            return new RedisRateLimitStore(
                async () => await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false),
                options.KeyPrefix,
                options.CommandTimeout,
                ownsConnection: true,
                endpoints: () => Endpoints(configuration.EndPoints));
        }

        var key = options.ConnectionServiceKey;
        IConnectionMultiplexer Multiplexer() => key is null ? services.GetRequiredService<IConnectionMultiplexer>() : services.GetRequiredKeyedService<IConnectionMultiplexer>(key);
        return new RedisRateLimitStore(
            () => Task.FromResult(Multiplexer()),
            options.KeyPrefix,
            options.CommandTimeout,
            endpoints: () => Endpoints(Multiplexer().GetEndPoints(configuredOnly: true)));
    }

    /// <summary>The endpoints as <c>host:port</c>, comma-separated, for the line that names the store at start.</summary>
    private static string Endpoints(IEnumerable<EndPoint> endpoints) => string.Join(", ", endpoints.Select(endpoint => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endpoint.ToString(),
    }));
}
