using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Strata.Benchmarks.Infrastructure;
using Strata.Jobs;

namespace Strata.Benchmarks.Dashboard;

/// <summary>
/// Server time to render each dashboard page with 1,000,000 jobs stored (issue #21's target: under 100 ms), one GET
/// through TestServer per operation: authentication, the policy, the page's backend reads, the HTML. The store is
/// seeded once per process (a static task) and stopped when the process exits, so an in-process run
/// (<c>--inProcess</c>) seeds once for every page.
/// </summary>
[BenchmarkCategory("Dashboard")]
public abstract class DashboardPagesBenchmarks
{
    /// <summary>Jobs stored before measuring.</summary>
    public const int StoredJobs = 1_000_000;

    /// <summary>Fewer in the smoke pass.</summary>
    protected const int SmokeJobs = 5_000;

    /// <summary>True in CI's smoke pass.</summary>
    protected static readonly bool IsSmoke = Environment.GetCommandLineArgs().Contains(BenchmarkConfig.SmokeArgument, StringComparer.Ordinal);

    private WebApplication? _app;
    private HttpClient? _client;
    private string? _jobUrl;

    /// <summary>The queue the filtered page asks for.</summary>
    protected abstract string FilteredQueue { get; }

    /// <summary>Starts the host on the seeded store and checks every page answers 200.</summary>
    /// <returns>A task.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        await PrepareStoreAsync();
        _app = await DashboardBenchmarkHost.StartAsync(AddJobs);
        _client = _app.GetTestClient();
        var newest = await _app.Services.GetRequiredService<IJobAdmin>().SearchAsync(new JobFilter(), null, 1, CancellationToken.None);
        _jobUrl = "/strata/jobs/" + Uri.EscapeDataString(newest.Jobs[0].Id);
        foreach (var url in new[] { "/strata", "/strata/queues", "/strata/jobs", FilteredUrl, _jobUrl, "/strata/dead", "/strata/schedules" })
        {
            await DashboardBenchmarkHost.GetAsync(_client, url);
        }
    }

    /// <summary>Stops the host (the store stays for the next case of this process).</summary>
    /// <returns>A task.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>The overview: job totals per state, live numbers, store health.</summary>
    /// <returns>The page's length.</returns>
    [Benchmark(Baseline = true)]
    public Task<int> Overview() => DashboardBenchmarkHost.GetAsync(_client!, "/strata");

    /// <summary>Queues: per queue, jobs per state and the oldest waiting job.</summary>
    /// <returns>The page's length.</returns>
    [Benchmark]
    public Task<int> Queues() => DashboardBenchmarkHost.GetAsync(_client!, "/strata/queues");

    /// <summary>The first page of the job list, no filter.</summary>
    /// <returns>The page's length.</returns>
    [Benchmark]
    public Task<int> Jobs_first_page() => DashboardBenchmarkHost.GetAsync(_client!, "/strata/jobs");

    /// <summary>The job list filtered by state and queue.</summary>
    /// <returns>The page's length.</returns>
    [Benchmark]
    public Task<int> Jobs_filtered() => DashboardBenchmarkHost.GetAsync(_client!, FilteredUrl);

    /// <summary>One job's detail.</summary>
    /// <returns>The page's length.</returns>
    [Benchmark]
    public Task<int> Job_detail() => DashboardBenchmarkHost.GetAsync(_client!, _jobUrl!);

    /// <summary>Dead letters, first page.</summary>
    /// <returns>The page's length.</returns>
    [Benchmark]
    public Task<int> Dead_letters() => DashboardBenchmarkHost.GetAsync(_client!, "/strata/dead");

    /// <summary>Schedules.</summary>
    /// <returns>The page's length.</returns>
    [Benchmark]
    public Task<int> Schedules() => DashboardBenchmarkHost.GetAsync(_client!, "/strata/schedules");

    /// <summary>Starts and seeds the store, once per process.</summary>
    /// <returns>A task.</returns>
    protected abstract Task PrepareStoreAsync();

    /// <summary>Registers Strata.Jobs on the seeded store (no workers).</summary>
    /// <param name="services">The host's services.</param>
    protected abstract void AddJobs(IServiceCollection services);

    private string FilteredUrl => "/strata/jobs?state=Dead&queue=" + FilteredQueue;
}
