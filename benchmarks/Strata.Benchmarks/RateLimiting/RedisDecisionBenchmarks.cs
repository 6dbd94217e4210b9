using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.Benchmarks.Infrastructure;
using Strata.RateLimiting;
using Strata.Testing;

namespace Strata.Benchmarks.RateLimiting;

/// <summary>
/// Peak decisions per second on Redis (issue 4): 64 concurrent callers over 10,000 partitions, client and a
/// redis-server of its own on this machine, every request admitted. Baseline: a bare one-key GCRA script by EVALSHA.
/// Strata and RedisRateLimiting 1.2.1 are called through their public API, <c>PartitionedRateLimiter.AcquireAsync</c>.
/// One operation is one decision.
/// </summary>
[RequestThroughput]
[BenchmarkCategory("RateLimiting")]
public class RedisDecisionBenchmarks
{
    private const int PerCaller = 400;
    private const int Operations = DecisionLoad.Callers * PerCaller;

    private readonly int[][] _sequences = DecisionLoad.Sequences(PerCaller);
    private RedisServer _server = null!;
    private ConnectionMultiplexer _connection = null!;
    private ServiceProvider _services = null!;
    private IDecider _bare = null!;
    private LimiterDecider _strataGcra = null!;
    private LimiterDecider _strataTokenBucket = null!;
    private LimiterDecider _strataFixedWindow = null!;
    private LimiterDecider _strataSlidingWindow = null!;
    private LimiterDecider _peerTokenBucket = null!;
    private LimiterDecider _peerFixedWindow = null!;
    private LimiterDecider _peerSlidingWindow = null!;

    /// <summary>Starts a redis-server, connects one multiplexer, and builds every limiter on it.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _server = await RedisServer.StartAsync().ConfigureAwait(false);
        _connection = await _server.ConnectAsync().ConfigureAwait(false);
        _services = Limiters.StrataServices(_connection);
        _bare = await BareGcraScript.CreateAsync(_connection, Limiters.Ample, Limiters.Period).ConfigureAwait(false);
        _strataGcra = Limiters.Strata(_services, "gcra", limit => RateLimitRule.Gcra(limit, Limiters.Period));
        _strataTokenBucket = Limiters.Strata(_services, "bucket", limit => RateLimitRule.TokenBucket(limit, limit, Limiters.Period));
        _strataFixedWindow = Limiters.Strata(_services, "fixed", limit => RateLimitRule.FixedWindow(limit, Limiters.Period));
        _strataSlidingWindow = Limiters.Strata(_services, "sliding", limit => RateLimitRule.SlidingWindow(limit, Limiters.Period));
        _peerTokenBucket = Limiters.PeerTokenBucket(_connection);
        _peerFixedWindow = Limiters.PeerFixedWindow(_connection);
        _peerSlidingWindow = Limiters.PeerSlidingWindow(_connection);
    }

    /// <summary>Disposes the limiters, the connection and the server.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        foreach (var limiter in new[] { _strataGcra, _strataTokenBucket, _strataFixedWindow, _strataSlidingWindow, _peerTokenBucket, _peerFixedWindow, _peerSlidingWindow })
        {
            limiter.Dispose();
        }

        await _services.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Baseline: the bare one-key GCRA script.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public Task BareScriptGcra() => RunAsync(nameof(BareScriptGcra), _bare);

    /// <summary>Strata GCRA on Redis.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task StrataGcra() => RunAsync(nameof(StrataGcra), _strataGcra);

    /// <summary>Strata token bucket on Redis.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task StrataTokenBucket() => RunAsync(nameof(StrataTokenBucket), _strataTokenBucket);

    /// <summary>Strata fixed window on Redis.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task StrataFixedWindow() => RunAsync(nameof(StrataFixedWindow), _strataFixedWindow);

    /// <summary>Strata sliding window on Redis.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task StrataSlidingWindow() => RunAsync(nameof(StrataSlidingWindow), _strataSlidingWindow);

    /// <summary>RedisRateLimiting 1.2.1, token bucket.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task PeerTokenBucket() => RunAsync(nameof(PeerTokenBucket), _peerTokenBucket);

    /// <summary>RedisRateLimiting 1.2.1, fixed window.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task PeerFixedWindow() => RunAsync(nameof(PeerFixedWindow), _peerFixedWindow);

    /// <summary>RedisRateLimiting 1.2.1, sliding window (a sorted-set log).</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task PeerSlidingWindow() => RunAsync(nameof(PeerSlidingWindow), _peerSlidingWindow);

    private async Task RunAsync(string name, IDecider decider)
    {
        var admitted = await DecisionLoad.RunAsync(decider, _sequences).ConfigureAwait(false);
        DecisionLoad.Check(name, admitted, Operations, 1, 1);
    }
}
