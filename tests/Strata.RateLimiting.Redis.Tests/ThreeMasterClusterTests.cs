using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Strata.RateLimiting.Store;
using Strata.RateLimiting.Internal;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>
/// Several limits decided in one script, on partitions whose keys land on each of the three masters of a real
/// Redis Cluster: the partition's hash tag must keep every key of one decision in one slot.
/// </summary>
public sealed class ThreeMasterClusterTests(RedisClusterFixture cluster) : IClassFixture<RedisClusterFixture>
{
    [Fact]
    public async Task Several_limits_of_one_policy_are_all_or_nothing_on_every_master_of_a_three_master_cluster()
    {
        var prefix = RedisFixture.UniquePrefix();
        var connection = cluster.Connection;
        var store = new RedisRateLimitStore(() => Task.FromResult(connection), prefix, TimeSpan.FromSeconds(5));
        await RedisTime.PinAsync(store, connection);
        using var runtime = new RateLimitRuntime(store, new DistributedStoreSettings(), new FakeTimeProvider());

        // Five limits, every algorithm: the daily quota of 3 is the one that rejects the 4th request.
        var definition = RateLimiterFactory.Define("multi", RateLimitRule.FixedWindow(100, TimeSpan.FromHours(1)), o =>
        {
            o.FailureMode = RateLimitFailureMode.FailClosed;
            o.AdditionalRules.Add(RateLimitRule.Gcra(100, TimeSpan.FromHours(1)).WithName("gcra"));
            o.AdditionalRules.Add(RateLimitRule.FixedWindow(3, TimeSpan.FromDays(1)).WithName("daily"));
            o.AdditionalRules.Add(RateLimitRule.SlidingWindow(50, TimeSpan.FromHours(1)).WithName("sliding"));
            o.AdditionalRules.Add(RateLimitRule.TokenBucket(50, 50, TimeSpan.FromHours(1)).WithName("bucket"));
            o.AdditionalRules.Add(RateLimitRule.Concurrency(10, TimeSpan.FromMinutes(5)));
        }, null);

        var partitions = PartitionsOnEveryMaster();
        foreach (var partition in partitions)
        {
            using var limiter = new StoreRateLimiter(runtime, definition, partition);
            for (var i = 0; i < 3; i++)
            {
                using var lease = await limiter.AcquireAsync(1);
                lease.IsAcquired.Should().BeTrue($"request {i + 1} of partition '{partition}' is within every limit");
                ((StoreLease)lease).Decision.Source.Should().Be(DecisionSource.Store, "a CROSSSLOT or MOVED error would fail closed");
            }

            using var rejected = await limiter.AcquireAsync(1);
            rejected.IsAcquired.Should().BeFalse();
            var decision = ((StoreLease)rejected).Decision;
            decision.Source.Should().Be(DecisionSource.Store);
            decision.Results[0].Allowed.Should().BeTrue("the hourly limit alone would admit it");
            decision.Results[0].Remaining.Should().Be(97, "only the three admitted requests were counted");
            decision.Results[1].Allowed.Should().BeTrue("the hourly GCRA limit alone would admit it");
            decision.Results[2].Allowed.Should().BeFalse("the daily quota is spent");
        }

        // As the masters themselves report it: state on all three, and every key of one partition on one master.
        var keys = await cluster.Cluster.KeysByNodeAsync(prefix + "*");
        keys.Values.Should().OnlyContain(k => k.Count > 0, "the partitions were chosen to land on every master");
        var tagsPerNode = keys.Values.Select(k => k.Select(TagOf).Distinct().ToList()).ToList();
        tagsPerNode.Sum(t => t.Count).Should().Be(partitions.Count, "no partition has keys on two masters");
        tagsPerNode.SelectMany(t => t).Should().OnlyHaveUniqueItems();
        keys.Values.Sum(k => k.Count).Should().BeGreaterThan(partitions.Count, "each partition keeps state for several limits");
    }

    [Fact]
    public async Task Single_gcra_limit_and_concurrency_release_work_on_every_master_of_a_three_master_cluster()
    {
        var prefix = RedisFixture.UniquePrefix();
        var connection = cluster.Connection;
        var store = new RedisRateLimitStore(() => Task.FromResult(connection), prefix, TimeSpan.FromSeconds(5));
        await RedisTime.PinAsync(store, connection);
        using var runtime = new RateLimitRuntime(store, new DistributedStoreSettings(), new FakeTimeProvider());
        var gcra = RateLimiterFactory.Define("gcra", RateLimitRule.Gcra(2, TimeSpan.FromHours(1)), o => o.FailureMode = RateLimitFailureMode.FailClosed, null);

        // Two concurrency limits: a release removes the lease from both sets in one script (two keys, one slot).
        var concurrency = RateLimiterFactory.Define("conc", RateLimitRule.Concurrency(1, TimeSpan.FromMinutes(5)), o =>
        {
            o.FailureMode = RateLimitFailureMode.FailClosed;
            o.AdditionalRules.Add(RateLimitRule.Concurrency(5, TimeSpan.FromMinutes(5)).WithName("wide"));
        }, null);

        foreach (var partition in PartitionsOnEveryMaster())
        {
            using var limiter = new StoreRateLimiter(runtime, gcra, partition);
            var admitted = 0;
            for (var i = 0; i < 3; i++)
            {
                using var lease = await limiter.AcquireAsync(1);
                ((StoreLease)lease).Decision.Source.Should().NotBe(DecisionSource.FailClosed);
                admitted += lease.IsAcquired ? 1 : 0;
            }

            admitted.Should().Be(2, $"partition '{partition}'");

            using var gate = new StoreRateLimiter(runtime, concurrency, partition);
            var held = await gate.AcquireAsync(1);
            held.IsAcquired.Should().BeTrue();
            using (var second = await gate.AcquireAsync(1))
            {
                second.IsAcquired.Should().BeFalse("one lease is held");
            }

            held.Dispose();
            (await EventuallyAcquiredAsync(gate)).Should().BeTrue($"the release reached the master of partition '{partition}'");
        }
    }

    /// <summary>Plain partitions and ones the store replaces by a hash, chosen so their keys land on each of the three masters.</summary>
    private List<string> PartitionsOnEveryMaster()
    {
        var configuration = cluster.Connection.GetServer(cluster.Cluster.Nodes[0].Endpoint).ClusterConfiguration!;
        var byMaster = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; byMaster.Count < 3 || byMaster.Values.Any(p => p.Count < 2); i++)
        {
            i.Should().BeLessThan(1000, "the slots are split between three masters");
            foreach (var partition in new[] { $"tenant-{i}", $"{{weird}}:ключ-{i}" })
            {
                var owner = configuration.GetBySlot((RedisKey)("x:" + RedisKeys.Tag(partition)))!.EndPoint!.ToString()!;
                var list = byMaster.TryGetValue(owner, out var existing) ? existing : byMaster[owner] = [];
                if (list.Count < 2)
                {
                    list.Add(partition);
                }
            }
        }

        return [.. byMaster.Values.SelectMany(p => p)];
    }

    private static string TagOf(string key) => key[key.IndexOf('{')..(key.IndexOf('}') + 1)];

    private static async Task<bool> EventuallyAcquiredAsync(RateLimiter limiter)
    {
        for (var i = 0; i < 200; i++)
        {
            using var lease = await limiter.AcquireAsync(1);
            if (lease.IsAcquired)
            {
                return true;
            }

            await Task.Delay(10);
        }

        return false;
    }
}
