using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace Strata.Benchmarks.SyncAsync;

/// <summary>
/// Sync versus async under concurrency (issue 7, the headline). Every invocation starts a fresh server process
/// (<see cref="SyncAsyncServer"/>: Kestrel on loopback, the runtime's default thread pool), puts a closed-loop load of
/// <see cref="Concurrency"/> keep-alive connections on one endpoint (<see cref="ClosedLoopLoad"/>: a warm-up, then a
/// measured window), reads the server's thread-pool figures, and stops the server, so each measurement starts from a
/// cold thread pool, as a host does after a deployment, and no case inherits the threads another one made the pool grow.
/// The figures are in the custom columns (<see cref="SyncAsyncColumn"/>); BenchmarkDotNet's Mean is the length of one
/// invocation (warm-up + window + stop), not a cost.
/// </summary>
public abstract class SyncAsyncBenchmarksBase
{
    /// <summary>
    /// Load before the measured window, on the same connections (the pool may grow meanwhile): 2 s, 0.2 s in the smoke
    /// pass, or <c>STRATA_SYNCASYNC_WARMUP_SECONDS</c>.
    /// </summary>
    public static readonly TimeSpan Warmup = Seconds("STRATA_SYNCASYNC_WARMUP_SECONDS", SyncAsyncConfig.IsSmoke ? 0.2 : 2);

    /// <summary>The measured window: 5 s, 0.5 s in the smoke pass, or <c>STRATA_SYNCASYNC_WINDOW_SECONDS</c>.</summary>
    public static readonly TimeSpan Window = Seconds("STRATA_SYNCASYNC_WINDOW_SECONDS", SyncAsyncConfig.IsSmoke ? 0.5 : 5);

    /// <summary>
    /// How long a request may wait for its answer before it counts as a timeout: long enough that the queue of a
    /// starved server shows as latency (wrk's 2 s would drop most of it), short enough to bound the run.
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly List<Measurement> _measurements = [];
    private ServerProcess? _server;

    /// <summary>Concurrent connections.</summary>
    [ParamsSource(nameof(Concurrencies))]
    public int Concurrency { get; set; }

    /// <summary>
    /// 1, 16, 64, 256 and 1024 connections; 1 and 16 in the smoke pass; or the comma-separated list in
    /// <c>STRATA_SYNCASYNC_CONCURRENCY</c> (for example a long window at 256 and 1024 only).
    /// </summary>
    public static IEnumerable<int> Concurrencies =>
        Environment.GetEnvironmentVariable("STRATA_SYNCASYNC_CONCURRENCY") is { Length: > 0 } list
            ? list.Split(',').Select(c => int.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : SyncAsyncConfig.IsSmoke ? [1, 16] : [1, 16, 64, 256, 1024];

    private static TimeSpan Seconds(string variable, double fallback) =>
        TimeSpan.FromSeconds(Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text
            ? double.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
            : fallback);

    /// <summary>Starts a fresh server process for the invocation.</summary>
    [IterationSetup]
    public void StartServer() => _server = ServerProcess.Start();

    /// <summary>Stops the invocation's server process.</summary>
    [IterationCleanup]
    public void StopServer()
    {
        _server?.Dispose();
        _server = null;
    }

    /// <summary>Prints (and, in process, publishes) the figures of all invocations of this case.</summary>
    [GlobalCleanup]
    public void Report()
    {
        if (_measurements.Count == 0)
        {
            return;
        }

        // In process BenchmarkDotNet runs a type it emitted, derived from the benchmark class: name the class.
        var type = GetType();
        while (type.Assembly != typeof(SyncAsyncBenchmarksBase).Assembly)
        {
            type = type.BaseType!;
        }

        var name = SyncAsyncResult.Key(type.Name, _measurements[0].Method, Concurrency);
        var result = SyncAsyncResult.From(_measurements);
        SyncAsyncColumn.Publish(name, result);
        Console.WriteLine(result.ToLine(name));
    }

    /// <summary>One measurement: the load on one endpoint, then the server's figures.</summary>
    /// <param name="method">The benchmark's name.</param>
    /// <param name="request">The request.</param>
    /// <param name="jobs">The endpoint enqueues jobs: wait until every accepted job has run.</param>
    /// <returns>A task.</returns>
    private protected async Task MeasureAsync(string method, HttpRequestSpec request, bool jobs = false)
    {
        try
        {
            await MeasureCoreAsync(method, request, jobs).ConfigureAwait(false);
        }
        catch
        {
            // BenchmarkDotNet runs no cleanup after a failed invocation: stop the server process here.
            StopServer();
            throw;
        }
    }

    private async Task MeasureCoreAsync(string method, HttpRequestSpec request, bool jobs)
    {
        var server = _server ?? throw new InvalidOperationException("No server: the iteration setup did not run.");
        await server.PrimeAsync(request).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var load = await ClosedLoopLoad.RunAsync(server.Address, request, Concurrency, Warmup, Window, Timeout, server.Sample).ConfigureAwait(false);
        var atEnd = load.ServerAtEnd ?? throw new InvalidOperationException($"{method}: the server printed no stats during the load.");
        var stats = await server.StatsAsync().ConfigureAwait(false);
        double? jobsPerSecond = null;
        if (jobs)
        {
            // Every job the server accepted (warm-up included) must run: wait for the last one, then rate them over
            // the whole time from the first request to the last job done.
            var accepted = stats.JobsAccepted;
            var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
            while (stats.JobsDone < accepted)
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new InvalidOperationException($"{method}: {accepted} jobs accepted, only {stats.JobsDone} done after 60 s.");
                }

                await Task.Delay(20).ConfigureAwait(false);
                stats = await server.StatsAsync().ConfigureAwait(false);
            }

            jobsPerSecond = stats.JobsDone / Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (accepted == 0)
            {
                throw new InvalidOperationException($"{method}: no job was accepted.");
            }
        }

        // The smoke pass wants every answer right. A measured run reports errors and timeouts (an overloaded server
        // may answer nothing within the window: its row then shows 0 requests/s and the timeouts).
        if (SyncAsyncConfig.IsSmoke && (load.Latencies.Length == 0 || load.Errors > 0 || load.Timeouts > 0))
        {
            throw new InvalidOperationException($"{method}: {load.Latencies.Length} right answers, {load.Errors} wrong answers and {load.Timeouts} timeouts ({load.FirstError}).");
        }

        _measurements.Add(new Measurement(method, load, atEnd with { PeakThreads = stats.PeakThreads }, jobsPerSecond));
    }
}

/// <summary>
/// Simulated I/O of 20 ms per request: awaited (<c>await Task.Delay</c>, the baseline), blocked on
/// (<c>Thread.Sleep</c>; <c>.Result</c> of an async method awaiting <c>Task.Delay</c>), or handed to Strata.Jobs
/// (<c>POST /jobs</c> answers 202 and a worker waits the 20 ms; the jobs column says how fast they completed).
/// </summary>
[Config(typeof(SyncAsyncConfig))]
[BenchmarkCategory("SyncAsync")]
public class SyncAsyncIoBenchmarks : SyncAsyncBenchmarksBase
{
    /// <summary>Baseline: <c>await Task.Delay(20)</c>.</summary>
    /// <returns>A task.</returns>
    [Benchmark(Baseline = true)]
    public Task AwaitDelay() => MeasureAsync(nameof(AwaitDelay), new HttpRequestSpec("GET", "/io/await", null, 200));

    /// <summary><c>Thread.Sleep(20)</c>.</summary>
    /// <returns>A task.</returns>
    [Benchmark]
    public Task ThreadSleep() => MeasureAsync(nameof(ThreadSleep), new HttpRequestSpec("GET", "/io/sleep", null, 200));

    /// <summary><c>.Result</c> on an async method that awaits <c>Task.Delay(20)</c> (sync over async).</summary>
    /// <returns>A task.</returns>
    [Benchmark]
    public Task BlockOnResult() => MeasureAsync(nameof(BlockOnResult), new HttpRequestSpec("GET", "/io/result", null, 200));

    /// <summary><c>POST /jobs</c> through Strata.Jobs (in memory): 202 Accepted; the job waits 20 ms in a worker.</summary>
    /// <returns>A task.</returns>
    [Benchmark]
    public Task Jobs202() => MeasureAsync(nameof(Jobs202), new HttpRequestSpec("POST", "/jobs", $$"""{"milliseconds":{{SyncAsyncServer.WaitMilliseconds}}}""", 202), jobs: true);
}

/// <summary>
/// CPU-bound work of about 1 ms per request (SHA-256 rounds): run on the request's thread (the baseline) or wrapped
/// in <c>await Task.Run(...)</c>. Async frees no thread here: the work needs a core either way.
/// </summary>
[Config(typeof(SyncAsyncConfig))]
[BenchmarkCategory("SyncAsync")]
public class SyncAsyncCpuBenchmarks : SyncAsyncBenchmarksBase
{
    /// <summary>Baseline: the hashing on the request's thread.</summary>
    /// <returns>A task.</returns>
    [Benchmark(Baseline = true)]
    public Task CpuSync() => MeasureAsync(nameof(CpuSync), new HttpRequestSpec("GET", "/cpu/sync", null, 200));

    /// <summary>The same hashing in <c>await Task.Run(...)</c>.</summary>
    /// <returns>A task.</returns>
    [Benchmark]
    public Task CpuAsyncWrapped() => MeasureAsync(nameof(CpuAsyncWrapped), new HttpRequestSpec("GET", "/cpu/async", null, 200));
}

/// <summary>One invocation's load and server figures.</summary>
internal sealed record Measurement(string Method, LoadResult Load, ServerStats Server, double? JobsPerSecond);
