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

    [Fact]
    public async Task Rejection_by_a_non_Strata_limiter_gets_the_generic_detail()
    {
        // The app's own ASP.NET Core limiter, answered the Strata way: no Strata decision, so no policy to name.
        await using var host = await TestHost.StartAsync(
            o => o.UseStrataRejectionResponse().AddFixedWindowLimiter("own", w =>
            {
                w.PermitLimit = 1;
                w.Window = TimeSpan.FromMinutes(1);
                w.QueueLimit = 0;
            }),
            policy: "own");
        (await host.GetAsync("key-1")).StatusCode.Should().Be(HttpStatusCode.OK);

        using var response = await host.GetAsync("key-1");

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        response.Header("Retry-After").Should().Be("60", "the fixed window limiter's own retry-after metadata: the next window");
        (await BodyAsync(response)).Should().Equal(new Dictionary<string, string>
        {
            ["type"] = RateLimitProblemTypes.QuotaExceeded,
            ["title"] = "Too many requests",
            ["status"] = "429",
            ["detail"] = "A rate limit is exceeded. Retry after the time in the Retry-After header.",
            ["retryAfter"] = "60",
        });
    }

    /// <summary>Every member of a ProblemDetails body by name, as its JSON text (strings unquoted).</summary>
    internal static async Task<Dictionary<string, string>> BodyAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
    }
}
