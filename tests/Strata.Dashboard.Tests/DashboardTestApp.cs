using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strata.Jobs;
using Strata.Jobs.Testing;

namespace Strata.Dashboard.Tests;

/// <summary>
/// A web app over TestServer with the test authentication scheme, a "strata-admin" policy (role ops), Strata.Jobs in
/// memory with two queues ("default", "reports"), one attempt per job, a schedule "nightly", and the dashboard at
/// <c>/strata</c>.
/// </summary>
internal sealed class DashboardTestApp : IAsyncDisposable
{
    public const string Prefix = "/strata";

    private DashboardTestApp(WebApplication app)
    {
        App = app;
    }

    public WebApplication App { get; }

    public IJobQueue Queue => App.Services.GetRequiredService<IJobQueue>();

    public IJobAdmin Admin => App.Services.GetRequiredService<IJobAdmin>();

    public IJobStore Store => App.Services.GetRequiredService<IJobStore>();

    public IRecurringJobs Recurring => App.Services.GetRequiredService<IRecurringJobs>();

    /// <summary>A browser signed in as <paramref name="user"/> with <paramref name="roles"/> (null user: anonymous).</summary>
    public TestBrowser Browser(string? user = "ops-user", string? roles = "ops") => new(App.GetTestClient(), user, roles);

    /// <summary>
    /// Starts the app; <paramref name="configure"/> sets the dashboard's options (by default the policy only), or
    /// <paramref name="map"/> mounts the dashboard itself.
    /// </summary>
    public static async Task<DashboardTestApp> StartAsync(
        Action<StrataDashboardOptions>? configure = null, bool withJobs = true, string environment = "Production", Action<WebApplicationBuilder>? build = null,
        Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        builder.Logging.AddFakeLogging();   // the tests read the dashboard's warning and the workers' QueuePaused
        builder.Services.AddAuthentication(TestAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TestAuthentication>(TestAuthentication.SchemeName, null);
        if (withJobs)
        {
            builder.Services.AddSingleton(new JobProbe());
            builder.Services.AddStrataJobs(o =>
                {
                    o.AddQueue("default").AddQueue("reports");
                    o.MaxAttempts = 1;
                })
                .AddHandler<FlakyJob, FlakyHandler>()
                .AddHandler<RecordJob, RecordHandler>()
                .AddHandler<HostileJob, HostileHandler>()
                .AddRecurring("nightly", "0 3 * * *", new RecordJob("nightly"));
        }

        build?.Invoke(builder);

        // --- README: The calls ---
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy("strata-admin", policy => policy.RequireRole("ops"));   // any policy the host defines
        builder.Services.AddStrataDashboard();        // antiforgery and the security headers

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        if (map is null)
        {
            app.MapStrataDashboard("/strata", configure ?? (options => options.AuthorizationPolicy = "strata-admin"));
        }
        else
        {
            map(app);
        }
        // --- end of README ---

        await app.StartAsync();
        return new DashboardTestApp(app);
    }

    /// <summary>Pauses <paramref name="queue"/> and waits until this host's workers saw it (their QueuePaused log).</summary>
    public async Task PauseAndWaitAsync(string queue)
    {
        await Admin.PauseQueueAsync(queue);
        var logs = App.Services.GetFakeLogCollector();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!logs.GetSnapshot().Any(r => r.Id.Name == "QueuePaused" && r.Message.Contains($"'{queue}'", StringComparison.Ordinal)))
        {
            await Task.Delay(10, limit.Token);
        }
    }

    /// <summary>Enqueues <paramref name="count"/> flaky jobs that fail once (so with one attempt they die) and waits until all are dead.</summary>
    public async Task<IReadOnlyList<string>> MakeDeadJobsAsync(string prefix, int count, string queue = "default")
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await Queue.EnqueueAsync(new FlakyJob($"{prefix}-{i}", FailTimes: 1), new JobOptions { Queue = queue, Owner = "tenant-" + prefix }));
        }

        foreach (var id in ids)
        {
            await WaitForStateAsync(id, JobState.Dead);
        }

        return ids;
    }

    /// <summary>Polls the store until the job is in <paramref name="state"/> (30 s at most).</summary>
    public async Task<JobInfo> WaitForStateAsync(string id, JobState state)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var job = await Store.GetAsync(id);
            if (job?.State == state)
            {
                return job;
            }

            if (limit.IsCancellationRequested)
            {
                throw new Xunit.Sdk.XunitException($"Job {id} did not become {state}; it is {job?.State.ToString() ?? "unknown"}.");
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
