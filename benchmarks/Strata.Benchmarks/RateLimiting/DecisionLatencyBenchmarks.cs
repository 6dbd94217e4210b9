using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.RateLimiting;
using Strata.Testing;

namespace Strata.Benchmarks.RateLimiting;

/// <summary>
/// Decision latency at half of peak load (issue 4). In its setup each case measures its own peak (64 unpaced callers
/// over 10,000 partitions, 2 s); every invocation then runs the same 64 callers paced at 50% of that peak (each
/// call has a due time; a caller that is early waits for it, a late one goes at once) and records each call's time
/// from <c>AcquireAsync</c> to its answer in a preallocated array per caller. After the last invocation the
/// p50/p99 of all recorded calls are printed as a <c>// strata-latency</c> line and shown in the P50/P99 columns
/// (<see cref="LatencyColumn"/>). The Mean column is the pacing interval, not a cost: read the latency columns.
/// </summary>
[Config(typeof(LatencyConfig))]
[BenchmarkCategory("RateLimiting")]
public class DecisionLatencyBenchmarks
{
    private const int PerCaller = 200;
    private const int Operations = DecisionLoad.Callers * PerCaller;
    private const int MaximumRuns = 64;

    private readonly int[][] _sequences = DecisionLoad.Sequences(PerCaller);
    private readonly long[][] _latencies = new long[DecisionLoad.Callers][];
    private RedisServer _server = null!;
    private ConnectionMultiplexer _connection = null!;
    private ServiceProvider _services = null!;
    private IDecider _decider = null!;
    private IDisposable? _limiter;
    private string _case = string.Empty;
    private double _peak;
    private double? _pacedPeak;
    private double _paced;
    private int _runs;
    private long _pacedTicks;

    // The smoke pass paces a few calls per caller only (its figures mean nothing; it proves the case runs and answers).
    private readonly int _perCaller = DecisionLoad.IsSmoke ? 10 : PerCaller;

    /// <summary>Baseline setup: the bare script.</summary>
    [GlobalSetup(Target = nameof(BareScriptGcra))]
    public Task SetupBare() => SetupAsync(nameof(BareScriptGcra), async c => await BareGcraScript.CreateAsync(c, Limiters.Ample, Limiters.Period).ConfigureAwait(false));

    /// <summary>Strata GCRA setup.</summary>
    [GlobalSetup(Target = nameof(StrataGcra))]
    public Task SetupStrata() => SetupAsync(nameof(StrataGcra), c =>
    {
        _services = Limiters.StrataServices(c);
        return Task.FromResult<IDecider>(Limiters.Strata(_services, "gcra", limit => RateLimitRule.Gcra(limit, Limiters.Period)));
    });

    /// <summary>
    /// The bare script paced at half of Strata GCRA's peak (issue 23's latency target: the same offered load for both).
    /// Strata's peak is measured here first, in this process, the way <see cref="StrataGcra"/> measures its own.
    /// </summary>
    [GlobalSetup(Target = nameof(BareScriptAtStrataLoad))]
    public Task SetupBareAtStrataLoad() => SetupAsync(nameof(BareScriptAtStrataLoad), async c =>
    {
        await using (var services = Limiters.StrataServices(c))
        {
            using var strata = Limiters.Strata(services, "gcra-peak", limit => RateLimitRule.Gcra(limit, Limiters.Period));
            await DecisionLoad.RunAsync(strata, _sequences).ConfigureAwait(false);
            _pacedPeak = await DecisionLoad.PeakAsync(strata, _sequences, TimeSpan.FromSeconds(DecisionLoad.IsSmoke ? 0.2 : 2)).ConfigureAwait(false);
        }

        return await BareGcraScript.CreateAsync(c, Limiters.Ample, Limiters.Period).ConfigureAwait(false);
    });

    /// <summary>Peer token bucket setup.</summary>
    [GlobalSetup(Target = nameof(PeerTokenBucket))]
    public Task SetupPeerTokenBucket() => SetupAsync(nameof(PeerTokenBucket), c => Task.FromResult<IDecider>(Limiters.PeerTokenBucket(c)));

    /// <summary>Peer fixed window setup.</summary>
    [GlobalSetup(Target = nameof(PeerFixedWindow))]
    public Task SetupPeerFixedWindow() => SetupAsync(nameof(PeerFixedWindow), c => Task.FromResult<IDecider>(Limiters.PeerFixedWindow(c)));

    /// <summary>Prints and publishes the percentiles, then disposes the limiter, the connection and the server.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        Report();
        _limiter?.Dispose();
        if (_services is not null)
        {
            await _services.DisposeAsync().ConfigureAwait(false);
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The bare one-key GCRA script at half of its peak.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public Task BareScriptGcra() => PacedAsync();

    /// <summary>Strata GCRA on Redis at half of its peak.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task StrataGcra() => PacedAsync();

    /// <summary>The bare one-key GCRA script at half of Strata GCRA's peak.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task BareScriptAtStrataLoad() => PacedAsync();

    /// <summary>RedisRateLimiting 1.2.1 token bucket at half of its peak.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task PeerTokenBucket() => PacedAsync();

    /// <summary>RedisRateLimiting 1.2.1 fixed window at half of its peak.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task PeerFixedWindow() => PacedAsync();

    private async Task SetupAsync(string name, Func<IConnectionMultiplexer, Task<IDecider>> create)
    {
        _case = name;
        _server = await RedisServer.StartAsync().ConfigureAwait(false);
        _connection = await _server.ConnectAsync().ConfigureAwait(false);
        _decider = await create(_connection).ConfigureAwait(false);
        _limiter = _decider as IDisposable;
        for (var c = 0; c < _latencies.Length; c++)
        {
            _latencies[c] = new long[PerCaller * MaximumRuns];
        }

        // Warm up (partitions created, keys written, JIT), then the peak of this case, unpaced.
        await DecisionLoad.RunAsync(_decider, _sequences).ConfigureAwait(false);
        _peak = await DecisionLoad.PeakAsync(_decider, _sequences, TimeSpan.FromSeconds(DecisionLoad.IsSmoke ? 0.2 : 2)).ConfigureAwait(false);
        _paced = (_pacedPeak ?? _peak) / 2;
    }

    private async Task PacedAsync()
    {
        var slot = (_runs++ % MaximumRuns) * PerCaller;
        var interval = Stopwatch.Frequency / _paced;
        var start = Stopwatch.GetTimestamp();
        var callers = new Task<int>[DecisionLoad.Callers];
        for (var c = 0; c < callers.Length; c++)
        {
            var caller = c;
            callers[c] = Task.Run(() => CallerAsync(caller, start, interval, slot));
        }

        var admitted = 0;
        foreach (var count in await Task.WhenAll(callers).ConfigureAwait(false))
        {
            admitted += count;
        }

        _pacedTicks += Stopwatch.GetTimestamp() - start;
        DecisionLoad.Check(_case, admitted, _perCaller * DecisionLoad.Callers, 1, 1);
    }

    private async Task<int> CallerAsync(int caller, long start, double interval, int slot)
    {
        var sequence = _sequences[caller];
        var latencies = _latencies[caller];
        var admitted = 0;
        for (var i = 0; i < _perCaller; i++)
        {
            // Calls are spread evenly: call i of caller c is due at (i * callers + c) intervals after the start.
            var due = start + (long)(((i * (long)DecisionLoad.Callers) + caller) * interval);
            var early = due - Stopwatch.GetTimestamp();
            if (early > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)early / Stopwatch.Frequency)).ConfigureAwait(false);
            }

            var began = Stopwatch.GetTimestamp();
            if (await _decider.DecideAsync(sequence[i]).ConfigureAwait(false))
            {
                admitted++;
            }

            latencies[slot + i] = Stopwatch.GetTimestamp() - began;
        }

        return admitted;
    }

    private void Report()
    {
        var runs = Math.Min(_runs, MaximumRuns);
        if (runs == 0)
        {
            return;
        }

        var all = new long[runs * _perCaller * DecisionLoad.Callers];
        var at = 0;
        foreach (var latencies in _latencies)
        {
            for (var run = 0; run < runs; run++)
            {
                Array.Copy(latencies, run * PerCaller, all, at, _perCaller);
                at += _perCaller;
            }
        }

        Array.Sort(all);
        double Micros(double quantile) => all[Math.Min(all.Length - 1, (int)(quantile * all.Length))] * 1e6 / Stopwatch.Frequency;
        var achieved = _runs * (double)_perCaller * DecisionLoad.Callers / (_pacedTicks / (double)Stopwatch.Frequency);
        var result = new LatencyResult(_peak, _paced, achieved, Micros(0.50), Micros(0.99), all.Length);
        LatencyColumn.Publish(_case, result);
        Console.WriteLine(result.ToLine(_case));
    }

    private sealed class LatencyConfig : ManualConfig
    {
        public LatencyConfig() => AddColumn(LatencyColumn.Peak, LatencyColumn.Paced, LatencyColumn.P50, LatencyColumn.P99);
    }
}

/// <summary>The latency figures of one case: peak and paced load, p50 and p99 in microseconds, number of samples.</summary>
internal sealed record LatencyResult(double Peak, double Paced, double Achieved, double P50Micros, double P99Micros, int Samples)
{
    public const string Prefix = "// strata-latency ";

    public string ToLine(string name) => string.Create(CultureInfo.InvariantCulture,
        $"{Prefix}{name} peak={Peak:F0} paced={Paced:F0} achieved={Achieved:F0} p50us={P50Micros:F1} p99us={P99Micros:F1} samples={Samples}");

    public static bool TryParse(string line, out string name, out LatencyResult result)
    {
        name = string.Empty;
        result = null!;
        var at = line.IndexOf(Prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }

        var parts = line[(at + Prefix.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = parts.Skip(1).Select(p => p.Split('=')).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        name = parts[0];
        result = new LatencyResult(values["peak"], values["paced"], values["achieved"], values["p50us"], values["p99us"], (int)values["samples"]);
        return true;
    }
}
