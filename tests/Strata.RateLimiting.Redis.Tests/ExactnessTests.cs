using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Strata.RateLimiting.Store;
using Strata.RateLimiting.Internal;
using Strata.RateLimiting.Tests;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>
/// Four nodes (four runtimes, four stores, four connections) hammer one partition concurrently:
/// exactly the limit is admitted per window, never more.
/// </summary>
public sealed class ExactnessTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const int Nodes = 4;
    private const int WorkersPerNode = 8;
    private const int AttemptsPerWorker = 50;

    // Redis's clock keeps running during the test: each window starts pinned one second past a UTC midnight
    // (windows divide a day), and a day's period makes GCRA and the token bucket earn a permit back only every
    // 864 s, so no slow run can let one more through.
    private static readonly TimeSpan Period = TimeSpan.FromDays(1);

    public static TheoryData<string> Algorithms => new() { "fixed", "sliding", "gcra", "token" };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Four_nodes_admit_exactly_the_limit_per_window(string algorithm)
    {
        const int limit = 100;
        var rule = algorithm switch
        {
            "fixed" => RateLimitRule.FixedWindow(limit, Period),
            "sliding" => RateLimitRule.SlidingWindow(limit, Period),
            "gcra" => RateLimitRule.Gcra(limit, Period),
            _ => RateLimitRule.TokenBucket(limit, limit, Period),
        };
        var prefix = RedisFixture.UniquePrefix();
        var connections = new List<ConnectionMultiplexer>();
        var stores = new List<RedisRateLimitStore>();
        var runtimes = new List<RateLimitRuntime>();
        try
        {
            for (var node = 0; node < Nodes; node++)
            {
                var connection = await redis.Server.ConnectAsync();
                connections.Add(connection);
                var store = new RedisRateLimitStore(() => Task.FromResult<IConnectionMultiplexer>(connection), prefix, TimeSpan.FromSeconds(10))
                {
                    TimeOffsetMicros = await RedisTime.OffsetToAsync(connection, TestHost.Start),
                };
                stores.Add(store);
                runtimes.Add(new RateLimitRuntime(store, new DistributedStoreSettings(), new FakeTimeProvider()));
            }

            var policy = "exact-" + Guid.NewGuid().ToString("N");
            var definition = RateLimiterFactory.Define(policy, rule, o => o.FailureMode = RateLimitFailureMode.FailClosed, null);

            for (var window = 0; window < 2; window++)
            {
                var admitted = 0;
                var unavailable = 0;
                var workers = runtimes.SelectMany(runtime => Enumerable.Range(0, WorkersPerNode).Select(_ => Task.Run(async () =>
                {
                    using var limiter = new StoreRateLimiter(runtime, definition, "hot-partition");
                    for (var i = 0; i < AttemptsPerWorker; i++)
                    {
                        using var lease = await limiter.AcquireAsync(1);
                        if (lease.IsAcquired)
                        {
                            Interlocked.Increment(ref admitted);
                        }
                        else if (((StoreLease)lease).Decision.Source == DecisionSource.FailClosed)
                        {
                            Interlocked.Increment(ref unavailable);
                        }
                    }
                })));
                await Task.WhenAll(workers);

                unavailable.Should().Be(0, "every decision came from Redis");
                admitted.Should().Be(limit, $"window {window}: {Nodes * WorkersPerNode * AttemptsPerWorker} attempts on {Nodes} nodes");

                // A fresh window two periods later on every node (the sliding window also forgets the previous one),
                // again one second past a boundary.
                foreach (var store in stores)
                {
                    store.TimeOffsetMicros += (2 * Period).Ticks / 10;
                }

                foreach (var runtime in runtimes)
                {
                    ((FakeTimeProvider)runtime.TimeProvider).Advance(2 * Period);
                }
            }
        }
        finally
        {
            runtimes.ForEach(r => r.Dispose());
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
