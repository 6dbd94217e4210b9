using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Strata.ApiKeys;
using Strata.RateLimiting;

namespace Strata.Dashboard.Tests;

/// <summary>
/// Hosts with any mix of the three packages over <see cref="DashboardTestApp"/>: Strata.RateLimiting with a policy
/// "per-client" (GCRA, 2 per minute) and a shadow-mode policy "shadow" (1 per minute), both partitioned by the
/// <c>X-Client</c> header, on <c>/api/limited</c> and <c>/api/shadow</c>; Strata.ApiKeys in memory with a pepper and
/// <c>/api/me</c> behind the API-key scheme.
/// </summary>
internal static class PackageHosts
{
    public const string Pepper = "dashboard-test-pepper-5f1c9a-0b7e4d2c8a61";
    public const string ClientHeader = "X-Client";

    public static Task<DashboardTestApp> StartAsync(
        bool jobs = false, bool rateLimits = false, bool apiKeys = false, Action<StrataDashboardOptions>? configure = null, Action<WebApplicationBuilder>? build = null)
    {
        var byClient = RatePartition.Custom(c => c.Request.Headers[ClientHeader].ToString(), "client header");
        return DashboardTestApp.StartAsync(
            withJobs: jobs,
            build: builder =>
            {
                if (rateLimits)
                {
                    builder.Services.AddStrataRateLimiting();
                    builder.Services.AddRateLimiter(o => o
                        // GCRA, not a fixed window: these hosts run on real time (and Redis's), and a fixed window that
                        // turns over between two requests of a test would admit a third.
                        .AddGcraPolicy("per-client", byClient, 2, TimeSpan.FromMinutes(1))
                        .AddGcraPolicy("shadow", byClient, 1, TimeSpan.FromMinutes(1), p => p.ShadowMode = true)
                        .UseStrataRejectionResponse());
                }

                if (apiKeys)
                {
                    builder.Services.AddStrataApiKeys(o => o.Pepper = Pepper).UseInMemoryStore();
                    builder.Services.AddAuthentication().AddApiKey();
                }

                build?.Invoke(builder);
            },
            map: app =>
            {
                if (rateLimits)
                {
                    app.UseRateLimiter();
                    app.MapGet("/api/limited", () => "ok").RequireRateLimiting("per-client");
                    app.MapGet("/api/shadow", () => "ok").RequireRateLimiting("shadow");
                }

                if (apiKeys)
                {
                    app.MapGet("/api/me", (ClaimsPrincipal user) => user.FindFirstValue(ApiKeyClaimTypes.KeyId))
                        .RequireAuthorization(p => p.AddAuthenticationSchemes(ApiKeyDefaults.AuthenticationScheme).RequireAuthenticatedUser());
                }

                app.MapStrataDashboard(DashboardTestApp.Prefix, configure ?? (o => o.AuthorizationPolicy = "strata-admin"));
            });
    }

    /// <summary>A request to a rate-limited endpoint as <paramref name="client"/>.</summary>
    public static async Task<HttpStatusCode> CallAsClientAsync(this DashboardTestApp app, string path, string client)
    {
        using var http = app.App.GetTestClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation(ClientHeader, client);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>A request to <c>/api/me</c> with <paramref name="key"/>.</summary>
    public static async Task<HttpStatusCode> CallWithKeyAsync(this DashboardTestApp app, string key)
    {
        using var http = app.App.GetTestClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Add(ApiKeyDefaults.HeaderName, key);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    public static IApiKeyManager Keys(this DashboardTestApp app) => app.App.Services.GetRequiredService<IApiKeyManager>();

    /// <summary>The labels of the dashboard's navigation on <paramref name="page"/>.</summary>
    public static string[] Nav(TestBrowser.Page page) =>
        [.. page.Document.QuerySelectorAll("nav a").Select(a => a.TextContent.Trim())];
}
