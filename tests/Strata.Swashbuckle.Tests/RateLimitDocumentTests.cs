using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Strata.RateLimiting;
using static Strata.Swashbuckle.Tests.SwaggerDocument;

namespace Strata.Swashbuckle.Tests;

public sealed class RateLimitDocumentTests
{
    [Fact]
    public async Task Limited_operation_declares_429_with_its_headers_the_policy_in_words_and_the_problem_body()
    {
        var root = await DocumentAsync();

        var tooMany = Operation(root, "/limited", "get").GetProperty("responses").GetProperty("429");
        tooMany.GetProperty("description").GetString().Should().Be(
            "Too many requests: policy 'per-key' allows 100 requests per minute and 10000 requests per fixed window of 1 day per API key. Retry after the seconds in Retry-After.");
        Headers(tooMany).Should().Equal("Retry-After", "RateLimit-Policy", "RateLimit");
        tooMany.GetProperty("headers").GetProperty("Retry-After").GetProperty("schema").GetProperty("type").GetString().Should().Be("integer");
        ProblemRef(tooMany).Should().Be("#/components/schemas/RateLimitProblemDetails");
        var properties = root.GetProperty("components").GetProperty("schemas").GetProperty("RateLimitProblemDetails").GetProperty("properties");
        properties.EnumerateObject().Select(p => p.Name).Should().Equal(
            "type", "title", "status", "detail", "instance", "traceId", "retryAfter", "policy", "violated-policies");
        properties.GetProperty("violated-policies").GetProperty("type").GetString().Should().Be("array");
    }

    [Fact]
    public async Task Other_answers_of_a_limited_operation_carry_the_RateLimit_headers_with_the_policy_in_their_syntax()
    {
        var root = await DocumentAsync();

        var ok = Operation(root, "/limited", "get").GetProperty("responses").GetProperty("200");
        Headers(ok).Should().Equal("RateLimit-Policy", "RateLimit");
        ok.GetProperty("headers").GetProperty("RateLimit-Policy").GetProperty("description").GetString()
            .Should().Be("The policy's limits, for example \"per-key\";q=100;w=60, \"daily\";q=10000;w=86400.");
    }

    [Fact]
    public async Task Fail_closed_policy_adds_503_and_the_others_do_not()
    {
        var root = await DocumentAsync();

        var unavailable = Operation(root, "/closed", "get").GetProperty("responses").GetProperty("503");
        unavailable.GetProperty("description").GetString().Should().Be("The rate-limit store cannot decide and policy 'closed' fails closed.");
        Headers(unavailable).Should().Equal(["Retry-After"], "failing closed counts nothing, so no RateLimit headers");
        Statuses(root, "/closed", "get").Should().Equal("200", "429", "503");
        Statuses(root, "/limited", "get").Should().Equal("200", "429");
        var declared = Operation(root, "/closed-declared", "get").GetProperty("responses").GetProperty("503");
        declared.GetProperty("description").GetString().Should().EndWith(". Also when: The rate-limit store cannot decide and policy 'closed' fails closed.");
        Headers(declared).Should().Equal("Retry-After", "RateLimit-Policy", "RateLimit");
    }

    [Fact]
    public async Task Unlimited_disabled_shadow_foreign_and_excluded_endpoints_get_nothing()
    {
        var root = await DocumentAsync();

        foreach (var path in new[] { "/open", "/disabled", "/shadow", "/foreign", "/excluded" })
        {
            var responses = Operation(root, path, "get").GetProperty("responses");
            responses.EnumerateObject().Select(r => r.Name).Should().Equal(["200"], path);
            responses.GetProperty("200").TryGetProperty("headers", out _).Should().BeFalse(path);
        }
    }

    [Fact]
    public async Task Calling_AddRateLimitDescriptions_twice_gives_the_same_document()
    {
        var once = await DocumentAsync();

        var twice = await DocumentAsync(calls: 2);

        twice.GetRawText().Should().Be(once.GetRawText());
    }

    private static Task<JsonElement> DocumentAsync(int calls = 1) => GetAsync(
        swagger: options =>
        {
            for (var i = 0; i < calls; i++)
            {
                options.AddRateLimitDescriptions();
            }
        },
        services: builder =>
        {
            builder.Services.AddStrataRateLimiting();
            builder.Services.AddRateLimiter(options =>
            {
                options.AddGcraPolicy("per-key", RatePartition.ByApiKey, 100, TimeSpan.FromMinutes(1), policy =>
                    policy.AdditionalRules.Add(RateLimitRule.FixedWindow(10_000, TimeSpan.FromDays(1)).WithName("daily")));
                options.AddGcraPolicy("closed", RatePartition.Global, 5, TimeSpan.FromSeconds(1), policy => policy.FailureMode = RateLimitFailureMode.FailClosed);
                options.AddGcraPolicy("shadow", RatePartition.Global, 5, TimeSpan.FromSeconds(1), policy => policy.ShadowMode = true);
                options.AddFixedWindowLimiter("foreign", o =>
                {
                    o.PermitLimit = 1;
                    o.Window = TimeSpan.FromMinutes(1);
                });
            });
        },
        endpoints: app =>
        {
            app.UseRateLimiter();
            app.MapGet("/limited", () => "ok").RequireRateLimiting("per-key");
            app.MapGet("/closed", () => "ok").RequireRateLimiting("closed");
            app.MapGet("/closed-declared", () => "ok").RequireRateLimiting("closed")
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable, "application/problem+json");
            app.MapGet("/open", () => "ok");
            app.MapGet("/disabled", () => "ok").RequireRateLimiting("per-key").DisableRateLimiting();
            app.MapGet("/shadow", () => "ok").RequireRateLimiting("shadow");
            app.MapGet("/foreign", () => "ok").RequireRateLimiting("foreign");
            app.MapGet("/excluded", () => "ok").RequireRateLimiting("per-key").ExcludeFromRateLimitDescription();
        });
}
