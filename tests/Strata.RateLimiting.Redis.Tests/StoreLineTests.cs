using System.Net;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Strata.RateLimiting.Tests;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>The line a host logs once at start names Redis, its endpoints and the key prefix (real redis-server).</summary>
public sealed class StoreLineTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static bool IsStoreLine(FakeLogRecord record) =>
        record.Category == "Strata.RateLimiting" && record.Id.Name is "InProcessStore" or "SharedStore";

    [Fact]
    public async Task With_a_connection_string_the_host_logs_once_at_start_the_redis_endpoint_and_the_key_prefix()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var host = await TestHost.StartAsync(
            o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, 5, TimeSpan.FromMinutes(1)),
            services => services.AddFakeLogging().AddStrataRateLimiting().UseRedis(redis.Server.ConnectionString, o => o.KeyPrefix = prefix));
        var logs = host.App.Services.GetFakeLogCollector();

        var line = logs.GetSnapshot().Should().ContainSingle(r => IsStoreLine(r), "the line is logged at start").Which;
        line.Level.Should().Be(LogLevel.Information);
        line.Message.Should().Be($"Rate limits: redis at {redis.Server.Endpoint} (Configuration), prefix {prefix}");

        (await host.GetAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK);
        logs.GetSnapshot().Should().ContainSingle(r => IsStoreLine(r), "once per host");
    }

    [Fact]
    public async Task With_the_connection_from_di_the_line_names_its_endpoint()
    {
        var prefix = RedisFixture.UniquePrefix();
        await using var host = await TestHost.StartAsync(
            o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, 5, TimeSpan.FromMinutes(1)),
            services => services.AddFakeLogging().AddSingleton(redis.Connection).AddStrataRateLimiting().UseRedis(o => o.KeyPrefix = prefix));

        host.App.Services.GetFakeLogCollector().GetSnapshot().Should().ContainSingle(r => IsStoreLine(r))
            .Which.Message.Should().Be($"Rate limits: redis at {redis.Server.Endpoint} (IConnectionMultiplexer from DI), prefix {prefix}");
    }

    [Fact]
    public async Task Configuration_options_win_over_the_multiplexer_in_di_and_the_line_says_so()
    {
        // The multiplexer in DI points at a port nothing listens on: decisions count in Redis only if the options win.
        await using var unreachable = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync("127.0.0.1:1,abortConnect=false,connectTimeout=200");
        var prefix = RedisFixture.UniquePrefix();
        var options = StackExchange.Redis.ConfigurationOptions.Parse(redis.Server.ConnectionString);
        await using var host = await TestHost.StartAsync(
            o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, 1, TimeSpan.FromMinutes(1), p => p.FailureMode = RateLimitFailureMode.FailClosed),
            services => services.AddFakeLogging().AddSingleton<StackExchange.Redis.IConnectionMultiplexer>(unreachable)
                .AddStrataRateLimiting().UseRedis(o =>
                {
                    o.ConfigurationOptions = options;
                    o.KeyPrefix = prefix;
                }));

        host.App.Services.GetFakeLogCollector().GetSnapshot().Should().ContainSingle(r => IsStoreLine(r))
            .Which.Message.Should().Be($"Rate limits: redis at {redis.Server.Endpoint} (ConfigurationOptions), prefix {prefix}");
        (await host.GetAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync("k")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the second request is counted in the same Redis (fail closed would answer 503)");
        (await redis.Connection.GetDatabase().KeyExistsAsync($"{prefix}per-key:{{k}}")).Should().BeTrue();
    }
}
