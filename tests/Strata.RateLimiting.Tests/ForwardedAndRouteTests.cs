using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.RateLimiting.Tests;

public sealed class ForwardedAndRouteTests
{
    [Fact]
    public async Task Forwarded_addresses_count_when_the_host_configured_forwarded_headers()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<TimeProvider>(TestHost.NewClock()); // both requests in one window, whatever the real time
        builder.Services.AddStrataRateLimiting();
        builder.Services.AddRateLimiter(o => o.AddFixedWindowPolicy("per-ip", RatePartition.ByClientAddress, 1, TimeSpan.FromMinutes(1)));
        await using var app = builder.Build();
        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor };
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        app.UseForwardedHeaders(forwarded);
        app.UseRateLimiter();
        app.MapGet("/", () => "ok").RequireRateLimiting("per-ip");
        await app.StartAsync();
        using var client = app.GetTestClient();

        async Task<HttpStatusCode> From(string address)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("X-Forwarded-For", address);
            return (await client.SendAsync(request)).StatusCode;
        }

        (await From("203.0.113.1")).Should().Be(HttpStatusCode.OK);
        (await From("203.0.113.1")).Should().Be(HttpStatusCode.TooManyRequests);
        (await From("203.0.113.2")).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task By_route_shares_a_limit_across_values_of_one_route_pattern()
    {
        await using var host = await TestHost.StartAsync(
            o => o.AddFixedWindowPolicy("per-route", RatePartition.ByRoute, 2, TimeSpan.FromMinutes(1)),
            endpoints: app =>
            {
                app.MapGet("/items/{id}", (string id) => id).RequireRateLimiting("per-route");
                app.MapGet("/other", () => "o").RequireRateLimiting("per-route");
            },
            policy: "per-route");

        (await host.GetAsync("a", "/items/1")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync("b", "/items/2")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync("c", "/items/3")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await host.GetAsync("a", "/other")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
