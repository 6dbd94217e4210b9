using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.RateLimiting;
using Strata.Testing;

namespace Strata.Benchmarks.RateLimiting;

/// <summary>
/// The same-run ratios of issue 4's targets, measured interleaved so that the noise of a shared machine (other
/// processes' bursts, which last seconds) falls on both sides of a ratio instead of on one case. One invocation is one
/// round: every case runs its load once, back to back, in an order that rotates from round to round; each round gives
/// one ratio per target (decisions/s of Strata ÷ decisions/s of the reference, from that round). After the last
/// round the cleanup prints, per ratio, the median and the quartiles over the rounds (<c>// strata-ratio</c> lines).
/// The Mean column is the time of a whole round, not a cost: read the printed ratios.
/// </summary>
/// <remarks>
/// Cases: the bare one-key GCRA script, Strata GCRA, RedisRateLimiting 1.2.1 token bucket and fixed window, all
/// admitted (the load of <see cref="RedisDecisionBenchmarks"/>); then the hot-key load of <see cref="HotKeyBenchmarks"/>
/// (90% of calls to one partition over its limit) for Strata GCRA (deny cache on) and both peer limiters; and Strata
/// GCRA called on its per-partition limiters directly (<see cref="DirectDecider"/>, no <c>PartitionedRateLimiter</c>),
/// which shows what the partitioned wrapper adds; and Strata GCRA with <c>CoalesceDecisions = false</c> (one call per
/// decision, issue 23's reference). All on one multiplexer to one redis-server of its own.
/// </remarks>
[BenchmarkCategory("RateLimiting")]
public class InterleavedRatioBenchmarks
{
    private const int AdmittedPerCaller = 400;
    private const int HotPerCaller = 1000;

    private readonly int[][] _admittedLoad = DecisionLoad.Sequences(DecisionLoad.IsSmoke ? 10 : AdmittedPerCaller);
    private readonly int[][] _hotLoad = DecisionLoad.Sequences(DecisionLoad.IsSmoke ? 20 : HotPerCaller, hotShare: 0.9);
    private readonly List<double[]> _rounds = [];
    private readonly Dictionary<Name, CpuTotals> _cpu = [];
    private RedisServer _server = null!;
    private ConnectionMultiplexer _connection = null!;
    private ConnectionMultiplexer _admin = null!;
    private ServiceProvider _services = null!;
    private ServiceProvider _oneCallServices = null!;
    private Case[] _cases = [];
    private int _round;

    /// <summary>The cases in the order of <see cref="Case.Index"/>.</summary>
    private enum Name
    {
        Bare,
        StrataGcra,
        PeerTokenBucket,
        PeerFixedWindow,
        HotStrataGcra,
        HotPeerTokenBucket,
        HotPeerFixedWindow,
        StrataGcraDirect,
        StrataGcraOneCallPerDecision,
    }

    /// <summary>Starts a redis-server, builds every limiter on one multiplexer and runs each load once (partitions, keys, JIT).</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _server = await RedisServer.StartAsync().ConfigureAwait(false);
        _connection = await _server.ConnectAsync().ConfigureAwait(false);
        _admin = await _server.ConnectAsync(o => o.AllowAdmin = true).ConfigureAwait(false);
        _services = Limiters.StrataServices(_connection);
        _oneCallServices = Limiters.StrataServices(_connection, coalesce: false);
        _cases =
        [
            new(Name.Bare, await BareGcraScript.CreateAsync(_connection, Limiters.Ample, Limiters.Period).ConfigureAwait(false), Hot: false),
            new(Name.StrataGcra, Limiters.Strata(_services, "gcra", limit => RateLimitRule.Gcra(limit, Limiters.Period)), Hot: false),
            new(Name.PeerTokenBucket, Limiters.PeerTokenBucket(_connection), Hot: false),
            new(Name.PeerFixedWindow, Limiters.PeerFixedWindow(_connection), Hot: false),
            new(Name.HotStrataGcra, Limiters.Strata(_services, "hot-gcra", limit => RateLimitRule.Gcra(limit, Limiters.Period)), Hot: true),
            new(Name.HotPeerTokenBucket, Limiters.PeerTokenBucket(_connection), Hot: true),
            new(Name.HotPeerFixedWindow, Limiters.PeerFixedWindow(_connection), Hot: true),
            new(Name.StrataGcraDirect, new DirectDecider(_services, "gcra-direct"), Hot: false),
            new(Name.StrataGcraOneCallPerDecision, Limiters.Strata(_oneCallServices, "gcra-one-call", limit => RateLimitRule.Gcra(limit, Limiters.Period)), Hot: false),
        ];
        foreach (var item in _cases)
        {
            await RunAsync(item).ConfigureAwait(false);
        }
    }

    /// <summary>Prints the ratios, then disposes the limiters, the connection and the server.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        Report();
        foreach (var item in _cases)
        {
            (item.Decider as IDisposable)?.Dispose();
        }

        await _services.DisposeAsync().ConfigureAwait(false);
        await _oneCallServices.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        await _admin.DisposeAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One round: every case once, in an order rotated by one each round.</summary>
    /// <returns>A task.</returns>
    [Benchmark]
    public async Task Round()
    {
        var rates = new double[_cases.Length];
        var shift = _round++;
        for (var i = 0; i < _cases.Length; i++)
        {
            var item = _cases[(i + shift) % _cases.Length];
            rates[(int)item.Index] = await RunAsync(item).ConfigureAwait(false);
        }

        _rounds.Add(rates);
    }

    private async Task<double> RunAsync(Case item)
    {
        var load = item.Hot ? _hotLoad : _admittedLoad;
        var total = load.Sum(s => s.Length);
        var cpu = await CpuSeconds.ReadAsync(_admin).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var admitted = await DecisionLoad.RunAsync(item.Decider, load).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var used = (await CpuSeconds.ReadAsync(_admin).ConfigureAwait(false)) - cpu;
        _cpu[item.Index] = (_cpu.TryGetValue(item.Index, out var sum) ? sum : default) + new CpuTotals(total, used);
        if (item.Hot)
        {
            // The cold 10% are admitted; the hot partition admits 10 at first, then about one per 6 s.
            DecisionLoad.Check(item.Index.ToString(), admitted, total, 0.09, 0.12);
        }
        else
        {
            DecisionLoad.Check(item.Index.ToString(), admitted, total, 1, 1);
        }

        return total / elapsed.TotalSeconds;
    }

    private void Report()
    {
        if (_rounds.Count == 0)
        {
            return;
        }

        Ratio("strata-gcra/bare-script", Name.StrataGcra, Name.Bare);
        Ratio("strata-gcra/peer-token-bucket", Name.StrataGcra, Name.PeerTokenBucket);
        Ratio("strata-gcra/peer-fixed-window", Name.StrataGcra, Name.PeerFixedWindow);
        Ratio("strata-gcra-direct/bare-script", Name.StrataGcraDirect, Name.Bare);
        Ratio("strata-gcra/strata-gcra-one-call-per-decision", Name.StrataGcra, Name.StrataGcraOneCallPerDecision);
        Ratio("strata-gcra-one-call-per-decision/bare-script", Name.StrataGcraOneCallPerDecision, Name.Bare);
        Ratio("hot:strata-gcra/peer-token-bucket", Name.HotStrataGcra, Name.HotPeerTokenBucket);
        Ratio("hot:strata-gcra/peer-fixed-window", Name.HotStrataGcra, Name.HotPeerFixedWindow);
        foreach (var name in Enum.GetValues<Name>())
        {
            var rates = _rounds.Select(r => r[(int)name]).Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"// strata-rate {name} rounds={rates.Length} median={Quantile(rates, 0.5):F0}/s q1={Quantile(rates, 0.25):F0}/s q3={Quantile(rates, 0.75):F0}/s"));
            if (_cpu.TryGetValue(name, out var cpu))
            {
                Console.WriteLine(cpu.ToLine(name.ToString()));
            }
        }
    }

    private void Ratio(string label, Name strata, Name reference)
    {
        var ratios = _rounds.Select(r => r[(int)strata] / r[(int)reference]).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// strata-ratio {label} rounds={ratios.Length} median={Quantile(ratios, 0.5):F3} q1={Quantile(ratios, 0.25):F3} q3={Quantile(ratios, 0.75):F3} min={ratios[0]:F3} max={ratios[^1]:F3}"));
    }

    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(sorted.Length - 1, low + 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    private sealed record Case(Name Index, IDecider Decider, bool Hot);
}
