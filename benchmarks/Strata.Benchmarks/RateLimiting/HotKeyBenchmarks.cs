using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.Benchmarks.Infrastructure;
using Strata.RateLimiting;
using Strata.Testing;

namespace Strata.Benchmarks.RateLimiting;

/// <summary>
/// One abusive hot key (issue 4): 90% of the calls of 64 concurrent callers go to one partition that is over its
/// limit (10 per minute), the other 10% spread over 10,000 partitions that are not, so about 90% of the requests
/// are rejected. Baseline: RedisRateLimiting 1.2.1's token bucket, which asks Redis for every one of them; Strata's
/// deny cache answers the abusive partition locally until the retry time Redis gave. One operation is one decision.
/// </summary>
[RequestThroughput]
[BenchmarkCategory("RateLimiting")]
public class HotKeyBenchmarks
{
    private const int PerCaller = 1000;
    private const int Operations = DecisionLoad.Callers * PerCaller;

    private readonly int[][] _sequences = DecisionLoad.Sequences(PerCaller, hotShare: 0.9);
    private RedisServer _server = null!;
    private ConnectionMultiplexer _connection = null!;
    private ServiceProvider _services = null!;
    private ServiceProvider _servicesWithoutDenyCache = null!;
    private LimiterDecider[] _all = [];
    private LimiterDecider _peerTokenBucket = null!;
    private LimiterDecider _peerFixedWindow = null!;
    private LimiterDecider _strataGcra = null!;
    private LimiterDecider _strataGcraWithoutDenyCache = null!;

    /// <summary>Starts a redis-server and builds the limiters; the hot partition is over its limit from the first run on.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _server = await RedisServer.StartAsync().ConfigureAwait(false);
        _connection = await _server.ConnectAsync().ConfigureAwait(false);
        _services = Limiters.StrataServices(_connection);
        _servicesWithoutDenyCache = Limiters.StrataServices(_connection, denyCache: false);
        _all =
        [
            _peerTokenBucket = Limiters.PeerTokenBucket(_connection),
            _peerFixedWindow = Limiters.PeerFixedWindow(_connection),
            _strataGcra = Limiters.Strata(_services, "gcra", limit => RateLimitRule.Gcra(limit, Limiters.Period)),
            _strataGcraWithoutDenyCache = Limiters.Strata(_servicesWithoutDenyCache, "gcra-nocache", limit => RateLimitRule.Gcra(limit, Limiters.Period)),
        ];
    }

    /// <summary>Disposes the limiters, the connection and the server.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        foreach (var limiter in _all)
        {
            limiter.Dispose();
        }

        await _services.DisposeAsync().ConfigureAwait(false);
        await _servicesWithoutDenyCache.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Baseline: RedisRateLimiting 1.2.1, token bucket.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public Task PeerTokenBucket() => RunAsync(nameof(PeerTokenBucket), _peerTokenBucket);

    /// <summary>RedisRateLimiting 1.2.1, fixed window.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task PeerFixedWindow() => RunAsync(nameof(PeerFixedWindow), _peerFixedWindow);

    /// <summary>Strata GCRA on Redis with its deny cache (the default).</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task StrataGcra() => RunAsync(nameof(StrataGcra), _strataGcra);

    /// <summary>Strata GCRA on Redis with <c>UseDenyCache = false</c>: every rejection is a round trip, as for the peer.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task StrataGcraWithoutDenyCache() => RunAsync(nameof(StrataGcraWithoutDenyCache), _strataGcraWithoutDenyCache);

    private async Task RunAsync(string name, IDecider decider)
    {
        // The cold 10% are admitted; the hot partition admits 10 at first, then about one per 6 s.
        var admitted = await DecisionLoad.RunAsync(decider, _sequences).ConfigureAwait(false);
        DecisionLoad.Check(name, admitted, Operations, 0.09, 0.12);
    }
}
