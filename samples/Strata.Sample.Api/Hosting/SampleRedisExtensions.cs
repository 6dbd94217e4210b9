using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;
using Strata.Sample.Processing;

namespace Strata.Sample.Api.Hosting;

/// <summary>
/// The api and worker roles share one Redis: one <see cref="IConnectionMultiplexer"/> per process serves the job queue
/// (Strata.Jobs.Redis), the rate limits (Strata.RateLimiting.Redis) and HybridCache's distributed layer (the API-key
/// lookups), and a <c>redis</c> health check tagged <c>ready</c>. Role all uses none of it.
/// </summary>
internal static class SampleRedisExtensions
{
    public static WebApplicationBuilder AddSampleRedis(this WebApplicationBuilder builder)
    {
        var role = builder.Configuration.GetSampleRole();
        var connectionString = builder.Configuration.GetSampleRedisConnectionString();
        if (role == SampleRole.All || connectionString is null)
        {
            return builder;
        }

        var configuration = ConfigurationOptions.Parse(connectionString);
        configuration.AbortOnConnectFail = false;   // start even if Redis is still coming up; reconnect on its own
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(configuration));

        builder.Services.AddStackExchangeRedisCache(_ => { });
        builder.Services.AddOptions<RedisCacheOptions>()
            .Configure<IServiceProvider>((options, services) =>
            {
                options.InstanceName = "strata-sample:";
                options.ConnectionMultiplexerFactory = () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>());
            });

        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
        return builder;
    }

    private sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!redis.IsConnected)
            {
                // Known to be down (the multiplexer has no connection): answer now, not after PING's timeout.
                return HealthCheckResult.Unhealthy("Redis is out of reach (no connection).");
            }

            try
            {
                var latency = await redis.GetDatabase().PingAsync();
                return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:0.0} ms");
            }
            catch (Exception exception) when (RedisOutage.Is(exception))
            {
                return HealthCheckResult.Unhealthy("Redis does not answer.", exception);
            }
        }
    }
}
