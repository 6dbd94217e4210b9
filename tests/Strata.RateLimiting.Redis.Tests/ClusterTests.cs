using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Strata.RateLimiting.Store;
using Strata.RateLimiting.Internal;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>
/// A real Redis Cluster (one node owning every slot): a script whose keys are in different slots
/// fails with CROSSSLOT, so several limits decided together prove the hash tags.
/// </summary>
public sealed class ClusterTests
{
    [Fact]
    public async Task Several_limits_of_one_partition_are_decided_in_one_script_on_redis_cluster()
    {
        await using var server = await RedisServer.StartAsync(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]);
        await using (var admin = await server.ConnectAsync(o => o.AllowAdmin = true))
        {
            await admin.GetDatabase().ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
            for (var i = 0; i < 100; i++)
            {
                var info = (string?)await admin.GetDatabase().ExecuteAsync("CLUSTER", "INFO");
                if (info!.Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    break;
                }

                await Task.Delay(50);
            }
        }

        await using var connection = await server.ConnectAsync();
        connection.GetServer(server.Endpoint).ServerType.Should().Be(ServerType.Cluster);

        // Without a shared hash tag these two keys would land in different slots.
        var crossSlot = async () => await connection.GetDatabase().ScriptEvaluateAsync("return redis.call('MGET', KEYS[1], KEYS[2])", ["a:1", "b:2"]);
        await crossSlot.Should().ThrowAsync<RedisException>();

        var store = new RedisRateLimitStore(() => Task.FromResult<IConnectionMultiplexer>(connection), "rl", TimeSpan.FromSeconds(5));
        using var runtime = new RateLimitRuntime(store, new DistributedStoreSettings(), new FakeTimeProvider());
        // GCRA 2 per hour: the third request is rejected however slowly the run goes (a permit returns after 30 min);
        // the daily window and the concurrency limit are never reached, so no window boundary matters.
        var definition = RateLimiterFactory.Define("burst", RateLimitRule.Gcra(2, TimeSpan.FromHours(1)), o =>
        {
            o.FailureMode = RateLimitFailureMode.FailClosed;
            o.AdditionalRules.Add(RateLimitRule.FixedWindow(100, TimeSpan.FromDays(1)).WithName("daily"));
            o.AdditionalRules.Add(RateLimitRule.Concurrency(10, TimeSpan.FromMinutes(1)));
        }, null);

        foreach (var partition in new[] { "tenant-1", "{weird}:partition", string.Empty })
        {
            using var limiter = new StoreRateLimiter(runtime, definition, partition);
            var admitted = 0;
            for (var i = 0; i < 3; i++)
            {
                using var lease = await limiter.AcquireAsync(1);
                ((StoreLease)lease).Decision.Source.Should().Be(DecisionSource.Store, "a CROSSSLOT error would fail closed");
                admitted += lease.IsAcquired ? 1 : 0;
            }

            admitted.Should().Be(2, $"partition '{partition}'");
        }
    }
}
