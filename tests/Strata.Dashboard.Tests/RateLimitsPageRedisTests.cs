using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Strata.Testing;

namespace Strata.Dashboard.Tests;

/// <summary>The store section of the rate-limits page over a real redis-server, connected and then killed.</summary>
public sealed class RateLimitsPageRedisTests
{
    [Fact]
    public async Task Redis_connected_then_killed_shows_as_not_connected_with_the_circuit_open()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await PackageHosts.StartAsync(rateLimits: true, build: builder =>
            builder.Services.AddStrataRateLimiting().UseRedis(redis.ConnectionString, o =>
            {
                o.FailureThreshold = 2;
                o.BreakDuration = TimeSpan.FromMinutes(10);
            }));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add(await app.CallAsClientAsync("/api/limited", "alice"));
        }

        statuses.Should().Equal(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);
        using var ops = app.Browser();
        var page = await ops.OpenAsync("/strata/ratelimits");
        TestBrowser.Text(page, "table.store").Should().Contain("redis");
        TestBrowser.Text(page, "[data-field=reachable]").Should().Be("yes");
        TestBrowser.Text(page, "[data-field=circuit]").Should().Be("closed");
        // The second request took the last permit and Redis said none comes back for a while (GCRA), so the third and
        // fourth were answered by the deny cache without a round trip.
        TestBrowser.Text(page, "[data-field=deny-cache-hits]").Should().Be("2", "the third and fourth requests were answered by the deny cache");
        TestBrowser.Text(page, "#policy-per-client [data-field=deny-cache-hits]").Should().Be("2");
        RateLimitStoreRow(await ops.OpenAsync("/strata")).Should().Contain("healthy").And.Contain("circuit closed");

        await redis.KillAsync();
        for (var i = 0; i < 3; i++)
        {
            // The store fails; the policy falls back to this node's share, so the requests are still decided.
            await app.CallAsClientAsync("/api/limited", "bob-" + i);
        }

        page = await ops.OpenAsync("/strata/ratelimits");
        TestBrowser.Text(page, "[data-field=reachable]").Should().StartWith("no");
        TestBrowser.Text(page, "[data-field=circuit]").Should().StartWith("open");
        TestBrowser.Text(page, "#policy-per-client [data-field=decisions]").Should().Be("7");
        var overview = await ops.OpenAsync("/strata");
        overview.Status.Should().Be(HttpStatusCode.OK);
        RateLimitStoreRow(overview).Should().Contain("unhealthy").And.Contain("not answering").And.Contain("circuit open");
    }

    private static string RateLimitStoreRow(TestBrowser.Page overview) =>
        overview.Document.QuerySelectorAll("table.health tbody tr").Single(r => r.TextContent.Contains("Rate-limit store", StringComparison.Ordinal)).TextContent;
}
