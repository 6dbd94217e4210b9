using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Strata.RateLimiting;
using Strata.RateLimiting.Redis;
using Strata.RateLimiting.Store;
using Strata.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Moves the state of Strata rate limiting to Redis: <c>services.AddStrataRateLimiting().UseRedis(...)</c>.</summary>
public static class RedisRateLimitingBuilderExtensions
{
    /// <summary>Keeps rate-limit state in the Redis named by <paramref name="configuration"/>; the store owns that connection.</summary>
    /// <param name="builder">The builder returned by <c>AddStrataRateLimiting</c>.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, for example <c>localhost:6379</c>; <c>abortConnect=false</c> is applied so a host starts while Redis is down.</param>
    /// <returns>The builder.</returns>
    public static StrataRateLimitingBuilder UseRedis(this StrataRateLimitingBuilder builder, string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        return builder.UseRedis(options => options.Configuration = configuration);
    }

    /// <summary>Keeps rate-limit state in the Redis named by <paramref name="configuration"/>, with more options.</summary>
    /// <param name="builder">The builder returned by <c>AddStrataRateLimiting</c>.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, for example <c>localhost:6379</c>.</param>
    /// <param name="configure">More options; validated on start.</param>
    /// <returns>The builder.</returns>
    public static StrataRateLimitingBuilder UseRedis(this StrataRateLimitingBuilder builder, string configuration, Action<RedisRateLimitingOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.UseRedis(options =>
        {
            options.Configuration = configuration;
            configure(options);
        });
    }

    /// <summary>
    /// Keeps rate-limit state in Redis through the <see cref="IConnectionMultiplexer"/> registered in DI.
    /// Calling it twice is harmless.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddStrataRateLimiting</c>.</param>
    /// <returns>The builder.</returns>
    public static StrataRateLimitingBuilder UseRedis(this StrataRateLimitingBuilder builder) =>
        builder.UseRedis(static _ => { });

    /// <summary>
    /// Keeps rate-limit state in Redis, configured by <paramref name="configure"/>. The connection comes from the first
    /// of <see cref="RedisRateLimitingOptions.ConnectionMultiplexerFactory"/>, <see cref="RedisRateLimitingOptions.ConfigurationOptions"/>,
    /// <see cref="RedisRateLimitingOptions.Configuration"/> and <see cref="RedisRateLimitingOptions.ConnectionServiceKey"/>
    /// that is set, else from the <see cref="IConnectionMultiplexer"/> in DI.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddStrataRateLimiting</c>.</param>
    /// <param name="configure">Options; validated on start.</param>
    /// <returns>The builder.</returns>
    public static StrataRateLimitingBuilder UseRedis(this StrataRateLimitingBuilder builder, Action<RedisRateLimitingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<RedisRateLimitingOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisRateLimitingOptions>, RedisRateLimitingOptionsValidator>());
        services.TryAddSingleton(CreateStore);
        return builder.UseStore(static sp => sp.GetRequiredService<RedisRateLimitStore>(), static sp =>
        {
            var options = sp.GetRequiredService<IOptions<RedisRateLimitingOptions>>().Value;
            return new DistributedStoreSettings
            {
                FailureThreshold = options.FailureThreshold,
                BreakDuration = options.BreakDuration,
                FallbackNodeCount = options.FallbackNodeCount,
                DenyCache = options.UseDenyCache,
            };
        });
    }

    private static RedisRateLimitStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RedisRateLimitingOptions>>().Value;

        // Decisions are refused at once while disconnected (the failure mode decides), never queued.
        var source = RedisConnectionSource.Choose(options, services, static configuration => configuration.BacklogPolicy = BacklogPolicy.FailFast);
        var prefix = options.KeyPrefix;
        return new RedisRateLimitStore(
            source.ConnectAsync,
            prefix,
            options.CommandTimeout,
            ownsConnection: source.Owned,
            description: () => source.Describe(prefix),
            coalesce: options.CoalesceDecisions);
    }
}
