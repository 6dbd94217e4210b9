using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.RateLimiting.OpenApi.Tests;

/// <summary>An app with endpoints under every kind of Strata policy, and its OpenAPI document.</summary>
internal static class DocumentHost
{
    /// <summary>
    /// The document's JSON text; <paramref name="configure"/> runs before AddRateLimitDescriptions (the app's own
    /// transformers), <paramref name="settings"/> sets the header options.
    /// </summary>
    public static async Task<string> JsonAsync(Action<OpenApiOptions>? configure = null, Action<StrataRateLimitingOptions>? settings = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(options =>
        {
            configure?.Invoke(options);
            options.AddRateLimitDescriptions();
        });
        builder.Services.AddStrataRateLimiting(settings);
        builder.Services.AddRateLimiter(options =>
        {
            options.AddGcraPolicy("per-key", RatePartition.ByApiKey, 100, TimeSpan.FromMinutes(1), policy =>
                policy.AdditionalRules.Add(RateLimitRule.FixedWindow(10_000, TimeSpan.FromDays(1)).WithName("daily")));
            options.AddTokenBucketPolicy("burst", RatePartition.ByUser, 20, 5, TimeSpan.FromSeconds(10));
            options.AddSlidingWindowPolicy("sliding", RatePartition.ByClientAddress, 30, TimeSpan.FromHours(1), policy =>
                policy.TierSelector = _ => null);
            options.AddConcurrencyPolicy("parallel", RatePartition.ByRoute, 4, TimeSpan.FromSeconds(30));
            options.AddGcraPolicy("tenant", RatePartition.ByClaim("tenant"), 10, TimeSpan.FromMilliseconds(1500), policy =>
                policy.AdditionalRules.Add(RateLimitRule.Gcra(50, TimeSpan.FromSeconds(10)).WithName("ten-seconds")));
            options.AddFixedWindowPolicy("custom", RatePartition.Custom(_ => "x", "region"), 1, TimeSpan.FromMinutes(2), policy =>
            {
                policy.AdditionalRules.Add(RateLimitRule.FixedWindow(5, TimeSpan.FromHours(2)).WithName("hours"));
                policy.AdditionalRules.Add(RateLimitRule.FixedWindow(9, TimeSpan.FromDays(3)).WithName("days"));
            });
            options.AddGcraPolicy("closed", RatePartition.Global, 5, TimeSpan.FromSeconds(1), policy => policy.FailureMode = RateLimitFailureMode.FailClosed);
            options.AddGcraPolicy("shadow", RatePartition.Global, 5, TimeSpan.FromSeconds(1), policy => policy.ShadowMode = true);
            options.AddFixedWindowLimiter("foreign", o =>
            {
                o.PermitLimit = 1;
                o.Window = TimeSpan.FromMinutes(1);
            });
        });
        await using var app = builder.Build();
        app.UseRateLimiter();
        app.MapOpenApi();
        app.MapGet("/limited", () => "ok").RequireRateLimiting("per-key");
        app.MapGet("/burst", () => "ok").RequireRateLimiting("burst");
        app.MapGet("/sliding", () => "ok").RequireRateLimiting("sliding");
        app.MapGet("/parallel", () => "ok").RequireRateLimiting("parallel");
        app.MapGet("/tenant", () => "ok").RequireRateLimiting("tenant");
        app.MapGet("/custom", () => "ok").RequireRateLimiting("custom");
        app.MapGet("/closed", () => "ok").RequireRateLimiting("closed");
        app.MapGet("/closed-declared", () => "ok").RequireRateLimiting("closed")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable, "application/problem+json");
        app.MapGet("/open", () => "ok");
        app.MapGet("/disabled", () => "ok").RequireRateLimiting("per-key").DisableRateLimiting();
        app.MapGet("/shadow", () => "ok").RequireRateLimiting("shadow");
        app.MapGet("/foreign", () => "ok").RequireRateLimiting("foreign");
        app.MapGet("/excluded", () => "ok").RequireRateLimiting("per-key").ExcludeFromRateLimitDescription();
        await app.StartAsync();

        var json = await app.GetTestClient().GetStringAsync("/openapi/v1.json");
        await app.StopAsync();
        return json;
    }

    /// <summary>The document, parsed.</summary>
    public static async Task<JsonElement> DocumentAsync(Action<OpenApiOptions>? configure = null, Action<StrataRateLimitingOptions>? settings = null)
    {
        using var document = JsonDocument.Parse(await JsonAsync(configure, settings));
        return document.RootElement.Clone();
    }

    public static JsonElement Operation(JsonElement root, string path, string method) =>
        root.GetProperty("paths").GetProperty(path).GetProperty(method);
}
