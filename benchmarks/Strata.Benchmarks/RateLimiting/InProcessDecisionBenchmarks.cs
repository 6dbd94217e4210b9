using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Strata.Benchmarks.Infrastructure;
using Strata.RateLimiting;

namespace Strata.Benchmarks.RateLimiting;

/// <summary>
/// Peak decisions per second in process (issue 4): Strata's in-process store against the limiters of
/// System.Threading.RateLimiting, both partitioned by <c>PartitionedRateLimiter</c>, 64 concurrent callers over 10,000
/// partitions, every request admitted. Baseline: the built-in token bucket. One operation is one decision.
/// </summary>
[RequestThroughput]
[BenchmarkCategory("RateLimiting")]
public class InProcessDecisionBenchmarks
{
    private const int PerCaller = 1000;
    private const int Operations = DecisionLoad.Callers * PerCaller;

    private readonly int[][] _sequences = DecisionLoad.Sequences(PerCaller);
    private ServiceProvider _services = null!;
    private LimiterDecider[] _all = [];
    private LimiterDecider _builtInTokenBucket = null!;
    private LimiterDecider _builtInFixedWindow = null!;
    private LimiterDecider _builtInSlidingWindow = null!;
    private LimiterDecider _strataGcra = null!;
    private LimiterDecider _strataTokenBucket = null!;
    private LimiterDecider _strataFixedWindow = null!;
    private LimiterDecider _strataSlidingWindow = null!;

    /// <summary>Builds the limiters.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _services = Limiters.StrataServices(redis: null);
        _all =
        [
            _builtInTokenBucket = Limiters.BuiltInTokenBucket(),
            _builtInFixedWindow = Limiters.BuiltInFixedWindow(),
            _builtInSlidingWindow = Limiters.BuiltInSlidingWindow(),
            _strataGcra = Limiters.Strata(_services, "gcra", limit => RateLimitRule.Gcra(limit, Limiters.Period)),
            _strataTokenBucket = Limiters.Strata(_services, "bucket", limit => RateLimitRule.TokenBucket(limit, limit, Limiters.Period)),
            _strataFixedWindow = Limiters.Strata(_services, "fixed", limit => RateLimitRule.FixedWindow(limit, Limiters.Period)),
            _strataSlidingWindow = Limiters.Strata(_services, "sliding", limit => RateLimitRule.SlidingWindow(limit, Limiters.Period)),
        ];
    }

    /// <summary>Disposes the limiters and services.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var limiter in _all)
        {
            limiter.Dispose();
        }

        _services.Dispose();
    }

    /// <summary>Baseline: System.Threading.RateLimiting's token bucket.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Operations)]
    public Task BuiltInTokenBucket() => RunAsync(nameof(BuiltInTokenBucket), _builtInTokenBucket);

    /// <summary>System.Threading.RateLimiting's fixed window.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task BuiltInFixedWindow() => RunAsync(nameof(BuiltInFixedWindow), _builtInFixedWindow);

    /// <summary>System.Threading.RateLimiting's sliding window (6 segments).</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task BuiltInSlidingWindow() => RunAsync(nameof(BuiltInSlidingWindow), _builtInSlidingWindow);

    /// <summary>Strata GCRA, in-process store.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task StrataGcra() => RunAsync(nameof(StrataGcra), _strataGcra);

    /// <summary>Strata token bucket, in-process store.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task StrataTokenBucket() => RunAsync(nameof(StrataTokenBucket), _strataTokenBucket);

    /// <summary>Strata fixed window, in-process store.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task StrataFixedWindow() => RunAsync(nameof(StrataFixedWindow), _strataFixedWindow);

    /// <summary>Strata sliding window, in-process store.</summary>
    [Benchmark(OperationsPerInvoke = Operations)]
    public Task StrataSlidingWindow() => RunAsync(nameof(StrataSlidingWindow), _strataSlidingWindow);

    private async Task RunAsync(string name, IDecider decider)
    {
        var admitted = await DecisionLoad.RunAsync(decider, _sequences).ConfigureAwait(false);
        DecisionLoad.Check(name, admitted, Operations, 1, 1);
    }
}
