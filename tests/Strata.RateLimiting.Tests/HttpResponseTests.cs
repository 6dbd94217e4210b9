using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Strata.RateLimiting.Tests;

/// <summary>What clients see over real HTTP: headers on success and rejection, 429 ProblemDetails, Retry-After.</summary>
public sealed class HttpResponseTests
{
    [Fact]
    public async Task Successful_responses_carry_the_ietf_ratelimit_headers()
    {
        await using var host = await TestHost.StartAsync(o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 3, period: TimeSpan.FromMinutes(1)));

        using var response = await host.GetAsync("key-1");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Header("RateLimit-Policy").Should().Be("\"per-key\";q=3;w=60");
        response.Header("RateLimit").Should().Be("\"per-key\";r=2;t=20");
        response.Header("X-RateLimit-Limit").Should().BeNull("legacy headers are opt-in");
    }

    [Fact]
    public async Task Rejection_is_429_problem_details_with_retry_after_and_headers()
    {
        await using var host = await TestHost.StartAsync(o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 3, period: TimeSpan.FromMinutes(1)));
        for (var i = 0; i < 3; i++)
        {
            (await host.GetAsync("key-1")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using var response = await host.GetAsync("key-1");

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        response.Header("Retry-After").Should().Be("20");
        response.Header("RateLimit").Should().Be("\"per-key\";r=0;t=60");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        problem!.Status.Should().Be(429);
        problem.Type.Should().Be(RateLimitProblemTypes.QuotaExceeded);
        problem.Detail.Should().NotContain("key-1", "partition keys are not echoed back");
        problem.Extensions["violated-policies"].Should().BeOfType<System.Text.Json.JsonElement>()
            .Which.EnumerateArray().Select(e => e.GetString()).Should().Equal("per-key");
    }

    [Fact]
    public async Task Rejection_names_only_the_limits_that_were_exceeded_as_violated_policies()
    {
        await using var host = await TestHost.StartAsync(o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 100, period: TimeSpan.FromMinutes(1), p =>
            p.AdditionalRules.Add(RateLimitRule.FixedWindow(2, TimeSpan.FromDays(1)).WithName("daily"))));
        (await host.GetAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK);

        using var response = await host.GetAsync("k");

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        problem!.Extensions["violated-policies"].Should().BeOfType<System.Text.Json.JsonElement>()
            .Which.EnumerateArray().Select(e => e.GetString()).Should().Equal("daily");
    }

    [Fact]
    public async Task Retry_after_is_whole_seconds_rounded_up()
    {
        // 3 per 10 s: one permit every 3.33 s, so Retry-After is 4, never 3.
        await using var host = await TestHost.StartAsync(o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 3, period: TimeSpan.FromSeconds(10)));
        for (var i = 0; i < 3; i++)
        {
            await host.GetAsync("k");
        }

        using var response = await host.GetAsync("k");

        response.Header("Retry-After").Should().Be("4");
    }

    [Fact]
    public async Task Each_api_key_has_a_limit_of_its_own()
    {
        await using var host = await TestHost.StartAsync(o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, limit: 1, window: TimeSpan.FromMinutes(1)));

        (await host.GetAsync("alice")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync("alice")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        (await host.GetAsync("bob")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Time_moving_on_admits_again()
    {
        await using var host = await TestHost.StartAsync(o => o.AddSlidingWindowPolicy("per-key", RatePartition.ByApiKey, limit: 2, window: TimeSpan.FromSeconds(10)));
        await host.GetAsync("k");
        await host.GetAsync("k");
        (await host.GetAsync("k")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        host.Time.Advance(TimeSpan.FromSeconds(20));

        (await host.GetAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Legacy_headers_are_written_when_enabled()
    {
        await using var host = await TestHost.StartAsync(
            o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, limit: 5, window: TimeSpan.FromMinutes(1)),
            services => services.AddStrataRateLimiting(o => o.EmitLegacyHeaders = true));

        using var response = await host.GetAsync("k");

        response.Header("X-RateLimit-Limit").Should().Be("5");
        response.Header("X-RateLimit-Remaining").Should().Be("4");
        response.Header("X-RateLimit-Reset").Should().Be("59");
        response.Header("RateLimit").Should().Be("\"per-key\";r=4;t=59");
    }

    [Fact]
    public async Task Legacy_headers_report_the_tightest_limit_of_a_policy_with_several_limits()
    {
        await using var host = await TestHost.StartAsync(
            o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, limit: 1000, window: TimeSpan.FromDays(1), p =>
                p.AdditionalRules.Add(RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1)).WithName("minute"))),
            services => services.AddStrataRateLimiting(o => o.EmitLegacyHeaders = true));

        using var response = await host.GetAsync("k");

        response.Header("X-RateLimit-Limit").Should().Be("5", "the minute limit has 4 left, the daily one 999");
        response.Header("X-RateLimit-Remaining").Should().Be("4");
        response.Header("X-RateLimit-Reset").Should().Be("59");
    }

    [Theory]
    [InlineData(100, 5)]
    [InlineData(5, 100)]
    public async Task Legacy_headers_report_the_tightest_of_the_global_and_the_endpoint_limit(int globalLimit, int endpointLimit)
    {
        await using var host = await TestHost.StartAsync(
            o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, limit: endpointLimit, window: TimeSpan.FromMinutes(1)),
            services =>
            {
                services.AddStrataRateLimiting(o => o.EmitLegacyHeaders = true);
                services.AddOptions<RateLimiterOptions>().Configure<IRateLimiterFactory>((o, factory) =>
                    o.GlobalLimiter = factory.CreatePartitioned("global", RatePartition.ByApiKey, RateLimitRule.FixedWindow(globalLimit, TimeSpan.FromMinutes(1))));
            });

        using var response = await host.GetAsync("k");

        response.Header("RateLimit").Should().Contain("\"global\"").And.Contain("\"per-key\"", "both limits decided this request");
        response.Header("X-RateLimit-Limit").Should().Be("5");
        response.Header("X-RateLimit-Remaining").Should().Be("4");
    }

    [Fact]
    public async Task A_policy_with_several_limits_reports_each_in_the_headers()
    {
        await using var host = await TestHost.StartAsync(o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 10, period: TimeSpan.FromSeconds(1), p =>
            p.AdditionalRules.Add(RateLimitRule.FixedWindow(1000, TimeSpan.FromDays(1)).WithName("daily"))));

        using var response = await host.GetAsync("k");

        response.Header("RateLimit-Policy").Should().Be("\"per-key\";q=10;w=1, \"daily\";q=1000;w=86400");
        response.Header("RateLimit").Should().Be("\"per-key\";r=9;t=1, \"daily\";r=999;t=86399");
    }

    [Fact]
    public async Task Unnamed_second_limit_is_named_after_the_policy_with_its_position()
    {
        await using var host = await TestHost.StartAsync(o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 100, period: TimeSpan.FromMinutes(1), p =>
            p.AdditionalRules.Add(RateLimitRule.FixedWindow(2, TimeSpan.FromDays(1)))));

        using (var first = await host.GetAsync("k"))
        {
            first.Header("RateLimit-Policy").Should().Be("\"per-key\";q=100;w=60, \"per-key-2\";q=2;w=86400");
            first.Header("RateLimit").Should().Be("\"per-key\";r=99;t=1, \"per-key-2\";r=1;t=86399");
        }

        (await host.GetAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK);
        using var rejected = await host.GetAsync("k");

        rejected.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        var problem = await rejected.Content.ReadFromJsonAsync<ProblemDetails>();
        problem!.Extensions["violated-policies"].Should().BeOfType<System.Text.Json.JsonElement>()
            .Which.EnumerateArray().Select(e => e.GetString()).Should().Equal(["per-key-2"], "the second limit, by the name its header gave it");
    }

    [Fact]
    public async Task Policy_asked_twice_in_one_request_is_listed_once_with_its_latest_count()
    {
        await using var host = await TestHost.StartAsync(
            o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, limit: 5, window: TimeSpan.FromMinutes(1)),
            services => services.AddOptions<RateLimiterOptions>().Configure<IRateLimiterFactory>((o, factory) =>
                o.GlobalLimiter = factory.CreatePartitioned("global", RatePartition.ByApiKey, RateLimitRule.FixedWindow(10, TimeSpan.FromMinutes(1)))),
            endpoints: app => app.MapGet("/costly", async (HttpContext context, IOptions<RateLimiterOptions> options) =>
            {
                // The endpoint charges two more permits of the global limit, on top of the one the middleware took.
                using var lease = await options.Value.GlobalLimiter!.AcquireAsync(context, permitCount: 2);
                return lease.IsAcquired ? "charged" : "refused";
            }));

        using var response = await host.GetAsync("k", "/costly");

        (await response.Content.ReadAsStringAsync()).Should().Be("charged");
        response.Header("RateLimit-Policy").Should().Be("\"global\";q=10;w=60");
        response.Header("RateLimit").Should().Be("\"global\";r=7;t=59", "the later decision replaces the earlier one of the same policy");
    }

    [Fact]
    public async Task Shadow_mode_never_rejects_and_sends_no_headers()
    {
        await using var host = await TestHost.StartAsync(o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, limit: 1, window: TimeSpan.FromMinutes(1), p => p.ShadowMode = true));

        for (var i = 0; i < 3; i++)
        {
            using var response = await host.GetAsync("k");
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            response.Header("RateLimit").Should().BeNull();
        }
    }

    [Fact]
    public async Task Endpoints_without_the_policy_are_not_limited()
    {
        await using var host = await TestHost.StartAsync(o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, limit: 1, window: TimeSpan.FromMinutes(1)));
        await host.GetAsync("k");

        using var response = await host.GetAsync("k", "/open");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Header("RateLimit").Should().BeNull();
    }

    [Fact]
    public async Task Concurrency_policy_admits_requests_in_flight_up_to_its_limit()
    {
        var gate = new TaskCompletionSource();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await TestHost.StartAsync(
            o => o.AddConcurrencyPolicy("per-key", RatePartition.ByApiKey, limit: 1, permitLifetime: TimeSpan.FromMinutes(1)),
            endpoints: app => app.MapGet("/slow", async () => { entered.TrySetResult(); await gate.Task; return "done"; }).RequireRateLimiting("per-key"));

        var slow = host.GetAsync("k", "/slow");
        await entered.Task;
        var second = await host.GetAsync("k");

        second!.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        second.Header("RateLimit-Policy").Should().Be("\"per-key\";q=1");
        gate.SetResult();
        (await slow).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
