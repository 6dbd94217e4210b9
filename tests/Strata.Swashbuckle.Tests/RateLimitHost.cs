using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Strata.RateLimiting;

namespace Strata.Swashbuckle.Tests;

/// <summary>An app with an endpoint under every kind of Strata policy (algorithm, partition, tiers), and its document's JSON.</summary>
internal static class RateLimitHost
{
    public static async Task<string> JsonAsync(Action<StrataRateLimitingOptions> settings)
    {
        await using var app = await SwaggerDocument.StartAsync(
            swagger: options => options.AddRateLimitDescriptions(),
            services: builder =>
            {
                builder.Services.AddStrataRateLimiting(settings);
                builder.Services.AddRateLimiter(options =>
                {
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
                    options.AddGcraPolicy("closed", RatePartition.Global, 5, TimeSpan.FromMinutes(1), policy => policy.FailureMode = RateLimitFailureMode.FailClosed);
                });
            },
            endpoints: app =>
            {
                app.UseRateLimiter();
                app.MapGet("/burst", () => "ok").RequireRateLimiting("burst");
                app.MapGet("/sliding", () => "ok").RequireRateLimiting("sliding");
                app.MapGet("/parallel", () => "ok").RequireRateLimiting("parallel");
                app.MapGet("/tenant", () => "ok").RequireRateLimiting("tenant");
                app.MapGet("/custom", () => "ok").RequireRateLimiting("custom");
                app.MapGet("/closed", () => "ok").RequireRateLimiting("closed");
            });
        var json = await app.GetTestClient().GetStringAsync("/swagger/v1/swagger.json");
        await app.StopAsync();
        return json;
    }
}
