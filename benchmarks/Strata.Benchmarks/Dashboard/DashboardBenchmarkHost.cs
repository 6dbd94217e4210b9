using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strata.Benchmarks.Infrastructure;
using Strata.Jobs;

namespace Strata.Benchmarks.Dashboard;

/// <summary>
/// A web app over TestServer with the dashboard at <c>/strata</c> behind a policy (every request authenticated by the
/// fixed-principal scheme, so authorization runs as in a host), Strata.Jobs configured by the caller, and one schedule.
/// </summary>
internal static class DashboardBenchmarkHost
{
    public const string Policy = "bench-admin";

    public static async Task<WebApplication> StartAsync(Action<IServiceCollection> addJobs)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(FixedPrincipalHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, FixedPrincipalHandler>(FixedPrincipalHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.RequireAuthenticatedUser());
        addJobs(builder.Services);
        builder.Services.AddStrataDashboard();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapStrataDashboard("/strata", o => o.AuthorizationPolicy = Policy);
        await app.StartAsync();
        return app;
    }

    /// <summary>Registers the benchmark's one schedule (its handler never runs: the hosts have no workers).</summary>
    public static JobsBuilder AddNightly(this JobsBuilder jobs) =>
        jobs.AddHandler<NightlyReport, NightlyReportHandler>().AddRecurring("nightly", "0 3 * * *", new NightlyReport("all"));

    /// <summary>GETs <paramref name="url"/>, fails on anything but 200, and returns the body's length.</summary>
    public static async Task<int> GetAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != System.Net.HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
        }

        return body.Length;
    }

    /// <summary>The scheduled job of the benchmark hosts.</summary>
    /// <param name="Scope">What to report on.</param>
    public sealed record NightlyReport(string Scope);

    /// <summary>Does nothing: no worker runs in the benchmark hosts.</summary>
    public sealed class NightlyReportHandler : IJobHandler<NightlyReport>
    {
        /// <inheritdoc />
        public Task HandleAsync(NightlyReport job, JobContext context) => Task.CompletedTask;
    }
}
