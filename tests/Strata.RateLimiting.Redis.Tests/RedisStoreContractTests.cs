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
}
