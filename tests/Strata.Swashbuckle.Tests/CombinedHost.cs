using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Strata.ApiKeys;
using Strata.RateLimiting;
using Swashbuckle.AspNetCore.Swagger;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Strata.Swashbuckle.Tests;

/// <summary>
/// One app with all three packages' calls: key-protected endpoints (scopes from RequireScope, inline and named
/// policies), rate-limited endpoints and job endpoints, and the JSON text of the document Swashbuckle makes for it.
/// </summary>
internal static class CombinedHost
{
    /// <summary>The document's JSON; <paramref name="own"/> runs before the Strata calls (the app's own filters).</summary>
    public static async Task<string> JsonAsync(OpenApiSpecVersion? version = null, Action<SwaggerGenOptions>? own = null)
    {
        await using var app = await SwaggerDocument.StartAsync(
            swagger: options =>
            {
                own?.Invoke(options);
                options.AddApiKeySecurityScheme();
                options.AddRateLimitDescriptions();
                options.AddJobEndpointDescriptions();
            },
            services: builder =>
            {
                if (version is { } v)
                {
                    builder.Services.Configure<SwaggerOptions>(o => o.OpenApiVersion = v);
                }

                builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o =>
                {
                    o.Prefix = "sk_live";
                    o.Realm = "strata";
                });
                builder.Services.AddAuthorization(o => o.AddPolicy("admin", policy => policy.RequireScope("admin")));
                builder.Services.AddStrataApiKeys().UseInMemoryStore();
                builder.Services.AddStrataRateLimiting();
                builder.Services.AddRateLimiter(options =>
                {
                    options.AddGcraPolicy("per-key", RatePartition.ByApiKey, 100, TimeSpan.FromMinutes(1), policy =>
                        policy.AdditionalRules.Add(RateLimitRule.FixedWindow(10_000, TimeSpan.FromDays(1)).WithName("daily")));
                    options.AddGcraPolicy("closed", RatePartition.Global, 5, TimeSpan.FromSeconds(1), policy => policy.FailureMode = RateLimitFailureMode.FailClosed);
                    options.AddFixedWindowPolicy("one", RatePartition.ByUser, 1, TimeSpan.FromSeconds(90));
                    options.AddGcraPolicy("shadow", RatePartition.Global, 5, TimeSpan.FromSeconds(1), policy => policy.ShadowMode = true);
                });
                builder.Services.AddStrataJobs().AddHandler<EchoJob, EchoHandler>().UseInMemory();
            },
            endpoints: app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.UseRateLimiter();
                app.MapGet("/health", () => "ok");
                app.MapPost("/jobs", () => "queued").RequireScope("jobs:write").RequireRateLimiting("per-key");
                app.MapGet("/reports", () => "report").RequireAuthorization(policy => policy.RequireScope("reports:read", "reports:export"));
                app.MapGet("/admin", () => "admin").RequireAuthorization("admin").RequireScope("admin", "audit:read");
                app.MapGet("/me", () => "me").RequireAuthorization();
                app.MapGet("/tagged", () => "tagged").RequireScope("jobs:write").WithMetadata(new ScopeMetadata("jobs:read", "jobs:write"));
                app.MapGet("/unregistered", () => "unregistered").RequireAuthorization("no-such-policy").RequireScope("audit:read");
                app.MapGet("/anonymous", () => "hi").RequireScope("jobs:write").AllowAnonymous();
                app.MapGet("/closed", () => "ok").RequireRateLimiting("closed")
                    .ProducesProblem(StatusCodes.Status503ServiceUnavailable, "application/problem+json");
                app.MapGet("/closed-own", () => "ok").RequireRateLimiting("closed");
                app.MapGet("/one", () => "ok").RequireRateLimiting("one");
                app.MapGet("/shadow", () => "ok").RequireRateLimiting("shadow");
                app.MapJobEndpoints<EchoJob>("/v1/echo").RequireScope("jobs:write");
                app.MapJobEndpoints<EchoJob>("/v1/quiet").ExcludeFromJobDescription();
            });
        var json = await app.GetTestClient().GetStringAsync("/swagger/v1/swagger.json");
        await app.StopAsync();
        return json;
    }
}
