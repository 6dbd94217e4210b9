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
        var prefix = RedisFixture.UniquePrefix().TrimEnd(':');
        await using var host = await TestHost.StartAsync(
            o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, 5, TimeSpan.FromMinutes(1)),
            services => services.AddFakeLogging().AddRedisRateLimiting(redis.Server.ConnectionString, o => o.KeyPrefix = prefix));
        var logs = host.App.Services.GetFakeLogCollector();

        var line = logs.GetSnapshot().Should().ContainSingle(r => IsStoreLine(r), "the line is logged at start").Which;
        line.Level.Should().Be(LogLevel.Information);
        line.Message.Should().Be($"Rate limits: redis at {redis.Server.Endpoint}, prefix {prefix}:");

        (await host.GetAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK);
        logs.GetSnapshot().Should().ContainSingle(r => IsStoreLine(r), "once per host");
    }

    [Fact]
    public async Task With_the_connection_from_di_the_line_names_its_endpoint()
    {
        var prefix = RedisFixture.UniquePrefix().TrimEnd(':');
        await using var host = await TestHost.StartAsync(
            o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, 5, TimeSpan.FromMinutes(1)),
            services => services.AddFakeLogging().AddSingleton(redis.Connection).AddRedisRateLimiting(o => o.KeyPrefix = prefix));

        host.App.Services.GetFakeLogCollector().GetSnapshot().Should().ContainSingle(r => IsStoreLine(r))
            .Which.Message.Should().Be($"Rate limits: redis at {redis.Server.Endpoint}, prefix {prefix}:");
    }
}
