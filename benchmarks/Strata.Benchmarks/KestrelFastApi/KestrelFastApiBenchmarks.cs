using System.Globalization;
using BenchmarkDotNet.Attributes;
using Strata.Benchmarks.SyncAsync;

namespace Strata.Benchmarks.KestrelFastApi;

/// <summary>
/// Kestrel beside FastAPI on Uvicorn (issue 25), in the same run with the same load: the five routes of
/// <see cref="StackEndpoint"/> served by the sync/async benchmark's Kestrel host, by Uvicorn with one worker, and by
/// Uvicorn with one worker per core (uvloop and httptools). Every case starts a fresh server, primes the route with one
/// untimed request, and puts <see cref="ClosedLoopLoad"/> on it (the sync/async warm-up and window); CPU time and
/// resident memory are of the server's whole process tree (<see cref="ProcessTree"/>). The figures are in the custom
/// columns (<see cref="KestrelFastApiColumn"/>); BenchmarkDotNet's Mean is the length of one invocation (server start,
/// warm-up, window, stop), not a cost. The smoke pass shares one server per stack between the routes
/// (<see cref="SmokeServers"/>) and loads each for 0.1 + 0.3 s.
/// </summary>
[Config(typeof(KestrelFastApiConfig))]
[BenchmarkCategory("KestrelFastApi")]
public class KestrelFastApiBenchmarks
{
    /// <summary>The body <c>POST /json</c> sends (79 bytes).</summary>
    public const string EchoBody = """{"id":42,"name":"strata","tags":["api-keys","rate-limits","jobs"],"score":0.75}""";

    private static readonly TimeSpan SmokeWarmup = TimeSpan.FromSeconds(0.1);
    private static readonly TimeSpan SmokeWindow = TimeSpan.FromSeconds(0.3);

    private KestrelFastApiResult? _result;
    private string? _method;

    /// <summary>The route.</summary>
    [ParamsAllValues]
    public StackEndpoint Endpoint { get; set; }

    /// <summary>Concurrent connections.</summary>
    [ParamsSource(nameof(Concurrencies))]
    public int Concurrency { get; set; }

    /// <summary>
    /// 1, 16, 64, 256 and 1024 connections; 16 in the smoke pass; or the comma-separated list in
    /// <c>STRATA_FASTAPI_CONCURRENCY</c>.
    /// </summary>
    public static IEnumerable<int> Concurrencies =>
        Environment.GetEnvironmentVariable("STRATA_FASTAPI_CONCURRENCY") is { Length: > 0 } list
            ? list.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray()
            : SyncAsyncConfig.IsSmoke ? [16] : [1, 16, 64, 256, 1024];

    /// <summary>Baseline: the Kestrel host (server GC, the runtime's default thread pool).</summary>
    /// <returns>A task.</returns>
    [Benchmark(Baseline = true)]
    public Task Kestrel() => MeasureAsync(nameof(Kestrel), KestrelStack.Start);

    /// <summary>Uvicorn with one worker process.</summary>
    /// <returns>A task.</returns>
    [Benchmark]
    public Task Uvicorn1Worker() => MeasureAsync(nameof(Uvicorn1Worker), () => UvicornProcess.Start(1));

    /// <summary>Uvicorn with one worker process per core (<see cref="Environment.ProcessorCount"/>).</summary>
    /// <returns>A task.</returns>
    [Benchmark]
    public Task UvicornWorkerPerCore() => MeasureAsync(nameof(UvicornWorkerPerCore), () => UvicornProcess.Start(Environment.ProcessorCount));

    /// <summary>Prints (and publishes for the columns) the case's figures.</summary>
    [GlobalCleanup]
    public void Report()
    {
        if (_result is null || _method is null)
        {
            return;
        }

        var key = KestrelFastApiResult.Key(_method, Endpoint, Concurrency);
        KestrelFastApiColumn.Publish(key, _result);
        Console.WriteLine(_result.ToLine(key));
        if (_method != nameof(Kestrel) && UvicornProcess.LastImplementations is { Length: > 0 } implementations)
        {
            Console.WriteLine($"// {key}: {PythonStack.Ensure()}; {implementations}");
        }
    }

    /// <summary>The request of a route.</summary>
    /// <param name="endpoint">The route.</param>
    /// <returns>The request, with the status a correct answer has.</returns>
    internal static HttpRequestSpec Request(StackEndpoint endpoint) => endpoint switch
    {
        StackEndpoint.AwaitIo => new("GET", "/io/await", null, 200),
        StackEndpoint.BlockingSync => new("GET", "/io/sleep", null, 200),
        StackEndpoint.BlockingInAsync => new("GET", "/io/block-in-async", null, 200),
        StackEndpoint.Cpu => new("GET", "/cpu/sync", null, 200),
        StackEndpoint.JsonEcho => new("POST", "/json", EchoBody, 200),
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null),
    };

    private async Task MeasureAsync(string method, Func<IStackServer> start)
    {
        if (SyncAsyncConfig.IsSmoke)
        {
            // The smoke pass proves that every route answers right on every stack: one server per stack serves all
            // five routes, with a short load, so the pass costs seconds rather than fifteen server starts.
            await MeasureOnAsync(method, SmokeServers.For(method, start), SmokeWarmup, SmokeWindow).ConfigureAwait(false);
            return;
        }

        using var server = start();
        await MeasureOnAsync(method, server, SyncAsyncBenchmarksBase.Warmup, SyncAsyncBenchmarksBase.Window).ConfigureAwait(false);
    }

    private async Task MeasureOnAsync(string method, IStackServer server, TimeSpan warmup, TimeSpan window)
    {
        var request = Request(Endpoint);
        await server.PrimeAsync(request).ConfigureAwait(false);
        ProcessTreeSample? atEnd = null;
        ServerSample Probe()
        {
            var sample = ProcessTree.Sample(server.ProcessId);
            atEnd = sample;
            return new ServerSample(sample.Cpu, null);
        }

        var load = await ClosedLoopLoad.RunAsync(
            server.Address,
            request,
            Concurrency,
            warmup,
            window,
            SyncAsyncBenchmarksBase.Timeout,
            Probe).ConfigureAwait(false);

        // The smoke pass wants every answer right; a measured run reports errors and timeouts.
        if (SyncAsyncConfig.IsSmoke && (load.Latencies.Length == 0 || load.Errors > 0 || load.Timeouts > 0))
        {
            throw new InvalidOperationException($"{method} {Endpoint}: {load.Latencies.Length} right answers, {load.Errors} wrong answers and {load.Timeouts} timeouts ({load.FirstError}).");
        }

        _method = method;
        _result = KestrelFastApiResult.From(load, atEnd!);
    }
}
