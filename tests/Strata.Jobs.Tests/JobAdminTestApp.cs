using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>
/// A web app over TestServer with the test authentication scheme, an "admin" policy (role admin), two queues
/// ("default", "reports"), one attempt per job, and the admin endpoints at <c>/admin/jobs</c>.
/// </summary>
internal sealed class JobAdminTestApp : IAsyncDisposable
{
    public const string Prefix = "/admin/jobs";

    private JobAdminTestApp(WebApplication app, JobProbe probe)
    {
        App = app;
        Probe = probe;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public JobProbe Probe { get; }

    public HttpClient Client { get; }

    public IJobQueue Queue => App.Services.GetRequiredService<IJobQueue>();

    public IJobStore Store => App.Services.GetRequiredService<IJobStore>();

    /// <summary>Starts the app; <paramref name="map"/> mounts the admin endpoints (by default with the "admin" policy).</summary>
    public static async Task<JobAdminTestApp> StartAsync(Action<WebApplication>? map = null, Action<JobsBuilder>? jobs = null)
    {
        var probe = new JobProbe();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(probe);
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthentication(JobAdminTestAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, JobAdminTestAuthentication>(JobAdminTestAuthentication.SchemeName, null);
        // --- README: Over HTTP (the policy, and the mapping below) ---
        builder.Services.AddAuthorizationBuilder().AddPolicy("admin", policy => policy.RequireRole("admin"));
        var jobsBuilder = builder.Services.AddStrataJobs(o =>
            {
                o.AddQueue("default").AddQueue("reports");
                o.MaxAttempts = 1;
                o.Concurrency = 4;
            })
            .AddHandler<FlakyJob, FlakyHandler>()
            .AddHandler<RecordJob, RecordHandler>()
            .AddHandler<BlockingJob, BlockingHandler>();
        jobs?.Invoke(jobsBuilder);
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        if (map is null)
        {
            app.MapJobAdminEndpoints("/admin/jobs").RequireAuthorization("admin");
        }
        else
        {
            map(app);
        }

        await app.StartAsync();
        return new JobAdminTestApp(app, probe);
    }

    /// <summary>Sends a request as <paramref name="user"/> (null: anonymous) with <paramref name="roles"/>; by default an admin.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? user = "ops", string? roles = "admin")
    {
        using var request = new HttpRequestMessage(method, url);
        if (user is not null)
        {
            request.Headers.Add(JobAdminTestAuthentication.UserHeader, user);
            if (roles is not null)
            {
                request.Headers.Add(JobAdminTestAuthentication.RolesHeader, roles);
            }
        }

        return await Client.SendAsync(request);
    }

    /// <summary>Sends as an admin, expects <paramref name="status"/>, and reads the JSON body.</summary>
    public async Task<JsonElement> ReadAsync(HttpMethod method, string url, int status = 200)
    {
        using var response = await SendAsync(method, url);
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(status, "{0} {1} answered {2}", method, url, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Sends as an admin and expects a ProblemDetails with <paramref name="status"/>; returns its detail.</summary>
    public async Task<string> ReadProblemAsync(HttpMethod method, string url, int status)
    {
        using var response = await SendAsync(method, url);
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(status, "{0} {1} answered {2}", method, url, body);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = JsonDocument.Parse(body).RootElement;
        problem.GetProperty("status").GetInt32().Should().Be(status);
        problem.GetProperty("title").GetString().Should().NotBeNullOrEmpty();
        return problem.GetProperty("detail").GetString()!;
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
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
