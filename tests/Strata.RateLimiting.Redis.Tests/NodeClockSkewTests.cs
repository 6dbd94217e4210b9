using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>
/// Nodes whose clocks disagree share one limit: every decision takes its time from the Redis server, so a node's
/// clock (its <see cref="TimeProvider"/>) can be a year off without giving it a fresh allowance or a year-long wait.
/// </summary>
public sealed class NodeClockSkewTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    public static TheoryData<string> Rules => ["gcra", "fixed window"];

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task Nodes_whose_clocks_are_a_year_apart_share_one_limit_on_the_servers_time(string algorithm)
    {
        var rule = algorithm == "gcra" ? RateLimitRule.Gcra(2, TimeSpan.FromMinutes(1)) : RateLimitRule.FixedWindow(2, TimeSpan.FromHours(1));
        var prefix = RedisFixture.UniquePrefix();
        var now = TimeProvider.System.GetUtcNow();
        await using var behind = await StartNodeAsync(new FakeTimeProvider(now.AddDays(-365)), prefix);
        await using var ahead = await StartNodeAsync(new FakeTimeProvider(now.AddDays(365)), prefix);

        // Fail closed: a decision Redis did not make is a refusal here, never an admission from a fallback.
        using var onBehind = behind.GetRequiredService<IRateLimiterFactory>().CreateLimiter("skew", "tenant-1", rule, p => p.FailureMode = RateLimitFailureMode.FailClosed);
        using var onAhead = ahead.GetRequiredService<IRateLimiterFactory>().CreateLimiter("skew", "tenant-1", rule, p => p.FailureMode = RateLimitFailureMode.FailClosed);

        for (var i = 0; i < 2; i++)
        {
            using var admitted = await onBehind.AcquireAsync(1);
            admitted.IsAcquired.Should().BeTrue();
        }

        using var refusedAhead = await onAhead.AcquireAsync(1);
        using var refusedBehind = await onBehind.AcquireAsync(1);

        refusedAhead.IsAcquired.Should().BeFalse("the node a year ahead sees the permits the other node took a moment ago");
        refusedBehind.IsAcquired.Should().BeFalse();
        foreach (var refused in new[] { refusedAhead, refusedBehind })
        {
            refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter).Should().BeTrue();
            retryAfter.Should().BePositive().And.BeLessThanOrEqualTo(TimeSpan.FromHours(1), "the wait is measured on the server's clock, not across a year of skew");
        }
    }

    /// <summary>One node: its own service provider, store and clock, on the shared server (its connected multiplexer) and key prefix.</summary>
    private async Task<ServiceProvider> StartNodeAsync(TimeProvider clock, string prefix)
    {
        var services = new ServiceCollection()
            .AddSingleton(clock)
            .AddSingleton(redis.Connection)
            .AddStrataRateLimiting().UseRedis(o =>
            {
                o.KeyPrefix = prefix;
                o.CommandTimeout = TimeSpan.FromSeconds(5);  // a loaded machine must not turn a slow answer into a refusal
            })
            .Services.BuildServiceProvider();

        // Pin the server's clock as both nodes' scripts see it past an hour boundary, so the fixed window cannot end mid-test.
        await RedisTime.PinAsync(services.GetRequiredService<RedisRateLimitStore>(), redis.Connection);
        return services;
    }
}
