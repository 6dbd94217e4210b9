using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.RateLimiting.Tests;

/// <summary>The code of the package README, compiled and run.</summary>
public sealed class ReadmeSampleTests
{
    [Fact]
    public async Task The_readme_program_runs()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["RateLimiting:Policies:tiered:Tiers:pro"] = "1000" });

        // README: Use
        builder.Services.AddRateLimiter(options => options
            .AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 100, period: TimeSpan.FromMinutes(1))
            .AddTokenBucketPolicy("uploads", RatePartition.ByUser, tokenLimit: 20, tokensPerPeriod: 5, period: TimeSpan.FromSeconds(10))
            .AddFixedWindowPolicy("login", RatePartition.ByClientAddress, limit: 5, window: TimeSpan.FromMinutes(1))
            .AddSlidingWindowPolicy("search", RatePartition.ByRoute, limit: 1000, window: TimeSpan.FromMinutes(1))
            .AddConcurrencyPolicy("reports", RatePartition.ByApiKey, limit: 2, permitLifetime: TimeSpan.FromMinutes(5)));

        // README: Several limits on one request
        builder.Services.AddRateLimiter(options =>
            options.AddGcraPolicy("burst-and-daily", RatePartition.ByApiKey, limit: 10, period: TimeSpan.FromSeconds(1), policy =>
                policy.AdditionalRules.Add(RateLimitRule.FixedWindow(10_000, TimeSpan.FromDays(1)).WithName("daily"))));

        // README: Plan tiers
        builder.Services.AddStrataRateLimiting();
        builder.Services.Configure<StrataRateLimitingOptions>(builder.Configuration.GetSection("RateLimiting"));
        builder.Services.AddRateLimiter(options => options
            .AddGcraPolicy("tiered", RatePartition.ByApiKey, limit: 100, period: TimeSpan.FromMinutes(1), policy =>
                policy.TierSelector = context => context.User.FindFirst("plan")?.Value));

        await using var app = builder.Build();
        app.Use((context, next) =>
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(RatePartition.ApiKeyIdClaimType, "key_0001"), new Claim("plan", "pro")], "test"));
            return next(context);
        });
        app.UseRateLimiter();
        app.MapPost("/v1/analyze", () => "analyzed").RequireRateLimiting("per-key");
        app.MapGet("/v1/reports", () => "report").RequireRateLimiting("reports");
        app.MapGet("/v1/burst", () => "b").RequireRateLimiting("burst-and-daily");
        app.MapGet("/v1/tiered", () => "t").RequireRateLimiting("tiered");
        await app.StartAsync();
        using var client = app.GetTestClient();

        (await client.PostAsync("/v1/analyze", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/v1/reports")).StatusCode.Should().Be(HttpStatusCode.OK);
        var burst = await client.GetAsync("/v1/burst");
        burst.Header("RateLimit-Policy").Should().Be("\"burst-and-daily\";q=10;w=1, \"daily\";q=10000;w=86400");
        (await client.GetAsync("/v1/tiered")).Header("RateLimit-Policy").Should().Be("\"tiered\";q=1000;w=60", "the pro tier's limit");
    }
}
