using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Strata.ApiKeys.Internal;
using Strata.Testing;

namespace Strata.ApiKeys.Tests;

/// <summary>Two nodes sharing a real Redis as HybridCache's distributed (L2) cache.</summary>
public sealed class DistributedCacheTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Second_node_reads_the_lookup_from_the_shared_cache_and_sees_a_revocation_at_once()
    {
        var instance = RedisFixture.UniquePrefix();
        var shared = new InMemoryApiKeyStore();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", CultureInfo.InvariantCulture));
        void UseRedis(WebApplicationBuilder b) => b.Services.AddStackExchangeRedisCache(o =>
        {
            o.ConnectionMultiplexerFactory = () => Task.FromResult(redis.Connection);
            o.InstanceName = instance;
        });
        await using var nodeA = await TestApp.StartAsync(services: UseRedis, time: time, sharedInner: shared);
        await using var nodeB = await TestApp.StartAsync(services: UseRedis, time: time, sharedInner: shared);
        var created = await nodeA.CreateKeyAsync("jobs:write");

        (await nodeA.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await nodeB.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);

        nodeA.Store.FindByHashCalls.Should().Be(1);
        nodeB.Store.FindByHashCalls.Should().Be(0, "node B read node A's lookup from Redis (a serialization round trip)");

        // Node C has never seen the key: after node A revokes (removing the Redis entry), C reads the store and refuses.
        await using var nodeC = await TestApp.StartAsync(services: UseRedis, time: time, sharedInner: shared);
        await nodeA.Manager.RevokeAsync(created.Record.Id);
        (await nodeC.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        nodeC.Store.FindByHashCalls.Should().Be(1);
    }
}
