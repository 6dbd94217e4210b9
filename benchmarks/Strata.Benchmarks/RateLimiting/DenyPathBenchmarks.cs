using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.RateLimiting;
using Strata.Testing;

namespace Strata.Benchmarks.RateLimiting;

/// <summary>
/// The cost of one local rejection, on one thread: a partition that Redis has rejected, answered by Strata's deny cache
/// through <c>PartitionedRateLimiter.AcquireAsync</c> (no round trip), against the built-in in-process fixed window
/// rejecting a partition that is over its limit (the floor: the same partitioned call, a lock and a counter).
/// </summary>
[BenchmarkCategory("RateLimiting")]
public class DenyPathBenchmarks
{
    private RedisServer _server = null!;
    private ConnectionMultiplexer _connection = null!;
    private ServiceProvider _services = null!;
    private PartitionedRateLimiter<string> _strata = null!;
    private PartitionedRateLimiter<string> _builtIn = null!;

    /// <summary>Starts a redis-server and drives the hot partition of both limiters over its limit.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _server = await RedisServer.StartAsync().ConfigureAwait(false);
        _connection = await _server.ConnectAsync().ConfigureAwait(false);
        _services = Limiters.StrataServices(_connection);
        var factory = _services.GetRequiredService<IRateLimiterFactory>();
        _strata = PartitionedRateLimiter.Create<string, string>(key =>
            RateLimitPartition.Get(key, k => factory.CreateLimiter("deny", k, RateLimitRule.Gcra(Limiters.LimitOf(k), Limiters.Period))));
        _builtIn = Limiters.BuiltInFixedWindow().Limiter;
        var hot = DecisionLoad.Keys[DecisionLoad.Hot];
        for (var i = 0; i <= Limiters.HotLimit; i++)
        {
            (await _strata.AcquireAsync(hot, 1).ConfigureAwait(false)).Dispose();
            (await _builtIn.AcquireAsync(hot, 1).ConfigureAwait(false)).Dispose();
        }

        if (await StrataAsync().ConfigureAwait(false) || await BuiltInAsync().ConfigureAwait(false))
        {
            throw new InvalidOperationException("The hot partition must be over its limit.");
        }
    }

    /// <summary>Disposes the limiters, the connection and the server.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        _strata.Dispose();
        _builtIn.Dispose();
        await _services.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Baseline: the built-in fixed window rejects (in process, nothing shared).</summary>
    /// <returns>False: rejected.</returns>
    [Benchmark(Baseline = true)]
    public ValueTask<bool> BuiltInRejection() => BuiltInAsync();

    /// <summary>Strata on Redis: the deny cache rejects without a round trip.</summary>
    /// <returns>False: rejected.</returns>
    [Benchmark]
    public ValueTask<bool> StrataDenyCacheRejection() => StrataAsync();

    private async ValueTask<bool> StrataAsync()
    {
        using var lease = await _strata.AcquireAsync(DecisionLoad.Keys[DecisionLoad.Hot], 1).ConfigureAwait(false);
        return lease.IsAcquired;
    }

    private async ValueTask<bool> BuiltInAsync()
    {
        using var lease = await _builtIn.AcquireAsync(DecisionLoad.Keys[DecisionLoad.Hot], 1).ConfigureAwait(false);
        return lease.IsAcquired;
    }
}
