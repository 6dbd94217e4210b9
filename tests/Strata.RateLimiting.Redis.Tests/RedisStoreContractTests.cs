using Strata.RateLimiting.Store;
using Strata.RateLimiting.Testing;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>The store contract against a real redis-server (keys under a prefix of each test's own).</summary>
public sealed class RedisStoreContractTests(RedisFixture redis) : RateLimitStoreContractTests, IClassFixture<RedisFixture>
{
    private RedisRateLimitStore? _store;

    protected override async Task<IRateLimitStore> CreateStoreAsync()
    {
        var connection = redis.Connection;
        _store = new RedisRateLimitStore(() => Task.FromResult(connection), RedisFixture.UniquePrefix(), TimeSpan.FromSeconds(5))
        {
            // Redis time is the server's; the offset makes it read the test's start time, and moves with it.
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
        // The offset that would make the server read the node's time now, against the store's: the difference is
        // how far the server's clock has run since the store was made.
        var offsetNow = await RedisTime.OffsetToAsync(redis.Connection, Time.GetUtcNow());
        return TimeSpan.FromTicks((_store!.TimeOffsetMicros - offsetNow) * 10);
    }
}
