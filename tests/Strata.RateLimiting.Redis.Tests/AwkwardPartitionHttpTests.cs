using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Strata.RateLimiting.Store;
using Strata.RateLimiting.Tests;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>Partition keys from the outside world, over HTTP and into Redis: never a Lua error, never a 500.</summary>
public sealed class AwkwardPartitionHttpTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    public static TheoryData<string> Partitions => new()
    {
        string.Empty,
        new string('x', 10 * 1024),
        "ключ-🔑-鍵",
        "{a}:{b}",
        "}{",
        "tenant:1:2",
    };

    [Theory]
    [MemberData(nameof(Partitions))]
    public async Task Any_partition_key_is_limited_and_never_fails(string partition)
    {
        await using var host = await TestHost.StartAsync(
            o => o.AddFixedWindowPolicy("by-query", RatePartition.Custom(c => c.Request.Query["p"]), limit: 2, window: TimeSpan.FromMinutes(10),
                p => p.FailureMode = RateLimitFailureMode.FailClosed), // a script error would show as 503
            services => services.AddStrataRateLimiting().UseRedis(redis.Server.ConnectionString, o =>
            {
                o.KeyPrefix = RedisFixture.UniquePrefix();
                o.CommandTimeout = TimeSpan.FromSeconds(5);
            }),
            endpoints: app => app.MapGet("/q", () => "ok").RequireRateLimiting("by-query"),
            policy: "by-query");
        var path = "/q?p=" + Uri.EscapeDataString(partition);

        // Redis decides on its own clock: pinned past a window boundary, the three requests share one window.
        await RedisTime.PinAsync((RedisRateLimitStore)host.App.Services.GetRequiredService<IRateLimitStore>(), redis.Connection);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await host.Client.GetAsync(path);
            statuses.Add(response.StatusCode);
        }

        statuses.Should().Equal(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests);
    }
}
