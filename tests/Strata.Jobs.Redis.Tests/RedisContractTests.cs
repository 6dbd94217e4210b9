using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>The shared contract, run against the Redis backend on a real redis-server (keys isolated by a prefix per test).</summary>
public sealed class RedisContractTests(RedisFixture redis) : JobBackendContractTests, IClassFixture<RedisFixture>
{
    private readonly string _prefix = RedisFixture.UniquePrefix();

    protected override void UseBackend(JobsBuilder builder)
    {
        builder.Services.AddSingleton(redis.Connection);
        builder.UseRedis(o =>
        {
            o.KeyPrefix = _prefix;
            o.PollInterval = TimeSpan.FromMilliseconds(500);
        });
    }
}
