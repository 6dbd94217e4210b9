using Strata.Testing;
using Xunit.Abstractions;

namespace Strata.Jobs.Fleet.Tests;

/// <summary>The fleet on one redis-server.</summary>
public sealed class RedisFleetTests(RedisFixture redis, ITestOutputHelper output) : FleetTests(output), IClassFixture<RedisFixture>
{
    private readonly string _prefix = RedisFixture.UniquePrefix();

    protected override string Backend => "redis";

    protected override string Connection => redis.Server.ConnectionString;

    protected override string Store => _prefix;
}
