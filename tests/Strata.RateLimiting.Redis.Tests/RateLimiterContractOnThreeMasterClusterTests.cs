using Strata.RateLimiting.Store;
using Strata.RateLimiting.Testing;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>
/// The store contract on a real three-master Redis Cluster: each decision's keys (several for a policy of several
/// limits) must share one slot, or SE.Redis and the cluster refuse the script; the slot decides the master.
/// </summary>
public sealed class RateLimiterContract_on_a_three_master_cluster(RedisClusterFixture cluster) : RateLimitStoreContractTests, IClassFixture<RedisClusterFixture>
{
    private RedisRateLimitStore? _store;

    protected override async Task<IRateLimitStore> CreateStoreAsync()
    {
        var connection = cluster.Connection;
        _store = new RedisRateLimitStore(() => Task.FromResult(connection), RedisFixture.UniquePrefix(), TimeSpan.FromSeconds(5))
        {
            // The masters run on one machine, so TIME on whichever master answers is the same clock.
            TimeOffsetMicros = await RedisTime.OffsetToAsync(connection, Start),
        };
        return _store;
    }

    protected override Task AdvanceAsync(TimeSpan by)
    {
        _store!.TimeOffsetMicros += by.Ticks / 10;
        return base.AdvanceAsync(by);
    }

    protected override async Task<TimeSpan> StoreClockDriftAsync()
    {
        // As on one server: the masters share the machine's clock.
        var offsetNow = await RedisTime.OffsetToAsync(cluster.Connection, Time.GetUtcNow());
        return TimeSpan.FromTicks((_store!.TimeOffsetMicros - offsetNow) * 10);
    }
}
