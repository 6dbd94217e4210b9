using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.RateLimiting;

namespace Strata.RateLimiting.Tests;

/// <summary>The README's outbound example: a Strata limiter throttling calls to a downstream API.</summary>
public sealed class OutboundTests
{
    private sealed class RateLimitedHandler(RateLimiter limiter) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var lease = await limiter.AcquireAsync(1, cancellationToken);
            if (!lease.IsAcquired)
            {
                lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter);
                throw new HttpRequestException($"Outbound limit reached; retry after {retryAfter}.");
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task A_delegating_handler_stops_calls_beyond_the_limit_before_they_leave()
    {
        var calls = 0;
        var downstream = WebApplication.CreateSlimBuilder();
        downstream.WebHost.UseTestServer();
        await using var api = downstream.Build();
        api.MapGet("/", () => Interlocked.Increment(ref calls));
        await api.StartAsync();

        var services = new ServiceCollection().AddSingleton<TimeProvider>(TestHost.NewClock()).AddStrataRateLimiting().Services.BuildServiceProvider();
        await using var _ = services;
        var factory = services.GetRequiredService<IRateLimiterFactory>();
        using var limiter = factory.CreateLimiter("github", "api.github", RateLimitRule.Gcra(2, TimeSpan.FromHours(1)));
        using var client = new HttpClient(new RateLimitedHandler(limiter) { InnerHandler = api.GetTestServer().CreateHandler() })
        {
            BaseAddress = new Uri("http://downstream/"),
        };

        (await client.GetAsync("/")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/")).StatusCode.Should().Be(HttpStatusCode.OK);
        var third = async () => await client.GetAsync("/");

        (await third.Should().ThrowAsync<HttpRequestException>()).Which.Message.Should().StartWith("Outbound limit reached; retry after 00:");
        calls.Should().Be(2);
    }

    [Fact]
    public async Task Polly_rate_limiter_strategy_uses_a_strata_limiter()
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(TestHost.NewClock()).AddStrataRateLimiting().Services.BuildServiceProvider();
        await using var _ = services;
        using var limiter = services.GetRequiredService<IRateLimiterFactory>().CreateLimiter("polly", "downstream", RateLimitRule.FixedWindow(1, TimeSpan.FromMinutes(1)));
        var pipeline = new ResiliencePipelineBuilder().AddRateLimiter(limiter).Build();

        await pipeline.ExecuteAsync(_ => ValueTask.CompletedTask);
        var second = async () => await pipeline.ExecuteAsync(_ => ValueTask.CompletedTask);

        var rejected = (await second.Should().ThrowAsync<RateLimiterRejectedException>()).Which;
        rejected.RetryAfter.Should().NotBeNull();
    }

    [Fact]
    public async Task The_partitioned_limiter_works_as_the_global_limiter_with_headers_and_429()
    {
        await using var host = await TestHost.StartAsync(
            o => o.UseStrataRejectionResponse(),
            services =>
            {
                services.AddStrataRateLimiting();
                services.AddOptions<RateLimiterOptions>().Configure<IRateLimiterFactory>((o, factory) =>
                    o.GlobalLimiter = factory.CreatePartitioned("global", RatePartition.ByApiKey, RateLimitRule.FixedWindow(1, TimeSpan.FromMinutes(1))));
            },
            endpoints: app => app.MapGet("/any", () => "any"));

        var first = await host.GetAsync("k", "/any");
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        first.Header("RateLimit").Should().Be("\"global\";r=0;t=59");

        var second = await host.GetAsync("k", "/any");
        second.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        second.Header("Retry-After").Should().Be("59");
        second.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Built_in_limiters_get_the_same_rejection_response()
    {
        await using var host = await TestHost.StartAsync(
            o => o.UseStrataRejectionResponse().AddFixedWindowLimiter("builtin", w =>
            {
                w.PermitLimit = 1;
                w.Window = TimeSpan.FromMinutes(1);
                w.QueueLimit = 0;
            }),
            endpoints: app => app.MapGet("/builtin", () => "b").RequireRateLimiting("builtin"));

        await host.GetAsync("k", "/builtin");
        var rejected = await host.GetAsync("k", "/builtin");

        rejected.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        rejected.Header("Retry-After").Should().NotBeNull();
        rejected.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public void In_process_limiters_decide_synchronously_in_attempt_acquire()
    {
        using var services = new ServiceCollection().AddSingleton<TimeProvider>(TestHost.NewClock()).AddStrataRateLimiting().Services.BuildServiceProvider();
        using var limiter = services.GetRequiredService<IRateLimiterFactory>().CreateLimiter("sync", "p", RateLimitRule.TokenBucket(2, 1, TimeSpan.FromSeconds(1)));

        limiter.AttemptAcquire(1).IsAcquired.Should().BeTrue();
        limiter.AttemptAcquire(1).IsAcquired.Should().BeTrue();
        limiter.AttemptAcquire(1).IsAcquired.Should().BeFalse();
    }
}
