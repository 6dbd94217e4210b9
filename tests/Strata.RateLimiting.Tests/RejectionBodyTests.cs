using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Strata.RateLimiting.Tests;

/// <summary>The ProblemDetails body of a 429 over real HTTP, word for word: what a client shows or logs.</summary>
public sealed class RejectionBodyTests
{
    [Fact]
    public async Task Rejection_body_gives_the_title_the_policy_and_the_whole_seconds_to_wait()
    {
        await using var host = await TestHost.StartAsync(o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 3, period: TimeSpan.FromMinutes(1)));
        for (var i = 0; i < 3; i++)
        {
            (await host.GetAsync("key-1")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        host.Time.Advance(TimeSpan.FromSeconds(4.5));
        using var response = await host.GetAsync("key-1");

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        problem!.Status.Should().Be(429);
        problem.Type.Should().Be(RateLimitProblemTypes.QuotaExceeded);
        problem.Title.Should().Be("Too many requests");
        problem.Detail.Should().Be("The rate limit of policy 'per-key' is exceeded. Retry after the time in the Retry-After header.");
        ((JsonElement)problem.Extensions["retryAfter"]!).GetInt64().Should().Be(16, "one permit every 20 s, 4.5 s of them passed: 15.5 s, rounded up");
        response.Header("Retry-After").Should().Be("16");
        ((JsonElement)problem.Extensions["policy"]!).GetString().Should().Be("per-key");
    }
}
