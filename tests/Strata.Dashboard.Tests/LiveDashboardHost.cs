using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Strata.RateLimiting;

namespace Strata.Dashboard.Tests;

/// <summary>
/// The dashboard test app with a <see cref="FakeTimeProvider"/> for every component (the collector's buckets
/// included), Strata.RateLimiting with a fixed window "tight" of two requests a minute over <c>/api/limited</c>.
/// </summary>
internal static class LiveDashboardHost
{
    /// <summary>12:00:01 UTC: one second into a 5-second bucket.</summary>
    public static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 1, TimeSpan.Zero);

    public static async Task<(DashboardTestApp App, FakeTimeProvider Time)> StartAsync()
    {
        var time = new FakeTimeProvider(Start);
        var app = await DashboardTestApp.StartAsync(
            build: b =>
            {
                b.Services.AddSingleton<TimeProvider>(time);
                b.Services.AddStrataRateLimiting();
                b.Services.AddRateLimiter(o => o.AddFixedWindowPolicy("tight", RatePartition.Global, limit: 2, window: TimeSpan.FromMinutes(1)));
            },
            map: web =>
            {
                web.UseRateLimiter();
                web.MapGet("/api/limited", () => Results.Ok("ok")).RequireRateLimiting("tight");
                web.MapStrataDashboard("/strata", o => o.AuthorizationPolicy = "strata-admin");
            });
        return (app, time);
    }

    /// <summary>Sends <paramref name="count"/> requests to the limited endpoint; returns how many got 429.</summary>
    public static async Task<int> HitLimitedAsync(DashboardTestApp app, int count)
    {
        using var client = app.App.GetTestClient();
        var rejected = 0;
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync("/api/limited");
            if ((int)response.StatusCode == StatusCodes.Status429TooManyRequests)
            {
                rejected++;
            }
        }

        return rejected;
    }
}
