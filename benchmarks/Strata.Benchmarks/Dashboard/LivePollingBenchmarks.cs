using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Strata.Dashboard.Internal.Live;

namespace Strata.Benchmarks.Dashboard;

/// <summary>
/// What one open overview costs the host (issue #21's target: under 1 % of one core per browser): the JSON request its
/// script sends every 5 s (12 a minute), through TestServer with authentication and the policy, and what the
/// collector adds to each measurement a Strata counter records while the dashboard is mapped. The counter cases are
/// a <c>Counter&lt;long&gt;.Add</c> with the instruments' real names and tags, without a listener (the baseline) and
/// with the dashboard's collector listening.
/// </summary>
[BenchmarkCategory("Dashboard")]
public class LivePollingBenchmarks
{
    private static readonly KeyValuePair<string, object?> Policy = new("policy", "per-key");
    private static readonly KeyValuePair<string, object?> Rejected = new("result", "rejected");
    private static readonly KeyValuePair<string, object?> Store = new("store", "redis");

    private WebApplication? _app;
    private HttpClient? _client;
    private Meter? _jobsMeter;
    private Meter? _limitsMeter;
    private Counter<long>? _succeeded;
    private Counter<long>? _decisions;
    private Meter? _idleMeter;
    private Counter<long>? _idle;
    private LiveCollector? _collector;

    /// <summary>Starts a host with the dashboard (in-memory jobs, nothing stored) and the instruments.</summary>
    /// <returns>A task.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _app = await DashboardBenchmarkHost.StartAsync(services => services.AddStrataJobs(o => o.RunWorkers = false));
        _client = _app.GetTestClient();
        _collector = _app.Services.GetRequiredService<LiveCollector>();

        // Meters scoped to this host's factory, as Strata's packages create theirs: the collector listens to them.
        var scope = _app.Services.GetRequiredService<IMeterFactory>();
        _jobsMeter = new Meter(new MeterOptions(LiveCollector.JobsMeter) { Scope = scope });
        _limitsMeter = new Meter(new MeterOptions(LiveCollector.RateLimitingMeter) { Scope = scope });
        _succeeded = _jobsMeter.CreateCounter<long>("strata.jobs.succeeded");
        _decisions = _limitsMeter.CreateCounter<long>("strata.ratelimiting.decisions");
        _idleMeter = new Meter(new MeterOptions("Strata.Benchmarks.Idle") { Scope = scope });
        _idle = _idleMeter.CreateCounter<long>("strata.jobs.succeeded");
        if (!_succeeded.Enabled || !_decisions.Enabled || _idle.Enabled)
        {
            throw new InvalidOperationException("The collector does not listen to the Strata instruments, or listens to others.");
        }

        await DashboardBenchmarkHost.GetAsync(_client, "/strata/live");
    }

    /// <summary>Stops the host.</summary>
    /// <returns>A task.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        var counted = _collector!.Read().Values.Sum(v => v.Sum());
        Console.WriteLine($"// The collector counted {counted:N0} measurements in its last 15 minutes.");
        _client?.Dispose();
        _jobsMeter?.Dispose();
        _limitsMeter?.Dispose();
        _idleMeter?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>One poll: GET /strata/live (180 buckets of four series) through authentication and the policy.</summary>
    /// <returns>The body's length.</returns>
    [Benchmark]
    public Task<int> Json_poll() => DashboardBenchmarkHost.GetAsync(_client!, "/strata/live");

    /// <summary>A counter no one listens to: what recording costs without the dashboard.</summary>
    [Benchmark(Baseline = true)]
    public void Counter_add_without_listener() => _idle!.Add(1, Policy, Rejected, Store);

    /// <summary>A job success, counted by the collector.</summary>
    [Benchmark]
    public void Job_succeeded_with_collector() => _succeeded!.Add(1, new KeyValuePair<string, object?>("strata.jobs.queue", "default"), new KeyValuePair<string, object?>("strata.jobs.type", "Report"));

    /// <summary>A rate-limit rejection (the dearer case: its result tag is read and two series are counted).</summary>
    [Benchmark]
    public void Decision_rejected_with_collector() => _decisions!.Add(1, Policy, Rejected, Store);
}
