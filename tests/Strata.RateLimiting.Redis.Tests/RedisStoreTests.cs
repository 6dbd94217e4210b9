using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Strata.RateLimiting.Internal;
using Strata.RateLimiting.Store;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>What is particular to Redis: key layout, TTLs, script loading, one round trip per decision.</summary>
public sealed class RedisStoreTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static RateLimiter Limiter(RateLimitRuntime runtime, string policy, string partition, RateLimitRule rule, Action<RateLimitPolicyOptions>? configure = null) =>
        new StoreRateLimiter(runtime, RateLimiterFactory.Define(policy, rule, configure, null), partition);

    private static RateLimitRuntime Runtime(IRateLimitStore store) => new(store, new DistributedStoreSettings(), new FakeTimeProvider());

    [Fact]
    public async Task Keys_are_prefix_policy_and_hash_tagged_partition_and_every_key_has_a_ttl()
    {
        var prefix = RedisFixture.UniquePrefix();
        var store = new RedisRateLimitStore(() => Task.FromResult(redis.Connection), prefix, TimeSpan.FromSeconds(5));
        using var runtime = Runtime(store);
        RateLimitRule[] rules =
        [
            RateLimitRule.Gcra(5, TimeSpan.FromMinutes(1)),
            RateLimitRule.TokenBucket(5, 1, TimeSpan.FromMinutes(1)),
            RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1)),
            RateLimitRule.SlidingWindow(5, TimeSpan.FromMinutes(1)),
            RateLimitRule.Concurrency(5, TimeSpan.FromMinutes(1)),
        ];
        foreach (var (rule, i) in rules.Select((r, i) => (r, i)))
        {
            using var limiter = Limiter(runtime, "algo" + i.ToString(CultureInfo.InvariantCulture), "tenant-1", rule);
            (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();
        }

        var database = redis.Connection.GetDatabase();
        var keys = await KeysAsync(prefix);
        keys.Should().BeEquivalentTo(
            Enumerable.Range(0, 5).Select(i => $"{prefix}algo{i}:{{tenant-1}}"));
        foreach (var key in keys)
        {
            var ttl = await database.KeyTimeToLiveAsync(key);
            ttl.Should().NotBeNull($"{key} must expire");
            ttl!.Value.Should().BePositive().And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1), "no key outlives two periods (the sliding window keeps the previous one)");
        }
    }

    [Fact]
    public async Task Several_rules_of_one_policy_share_the_partition_hash_tag_so_they_run_on_a_cluster()
    {
        var prefix = RedisFixture.UniquePrefix();
        var store = new RedisRateLimitStore(() => Task.FromResult(redis.Connection), prefix, TimeSpan.FromSeconds(5));
        using var runtime = Runtime(store);
        using var limiter = Limiter(runtime, "combo", "{evil}:partition", RateLimitRule.Gcra(5, TimeSpan.FromMinutes(1)),
            o => o.AdditionalRules.Add(RateLimitRule.FixedWindow(100, TimeSpan.FromDays(1))));

        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();

        var keys = await KeysAsync(prefix);
        keys.Should().HaveCount(2);
        var tags = keys.Select(k => k[(k.IndexOf('{', StringComparison.Ordinal) + 1)..k.IndexOf('}', StringComparison.Ordinal)]).Distinct().ToList();
        tags.Should().ContainSingle().Which.Should().StartWith("#", "a partition with braces is hashed");
        keys.Should().OnlyContain(k => k.Count(c => c == '{') == 1 && k.Count(c => c == '}') == 1);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("}{")]
    [InlineData("ключ")]
    [InlineData("a b")]
    [InlineData("#x")]
    public void Awkward_partitions_are_hashed_into_a_safe_tag(string partition)
    {
        var tag = RedisKeys.Tag(partition);

        tag.Should().MatchRegex("^\\{#[A-Za-z0-9_-]{43}\\}$");
    }

    [Fact]
    public void Plain_partitions_stay_readable_and_long_ones_are_hashed()
    {
        RedisKeys.Tag("key_0001").Should().Be("{key_0001}");
        RedisKeys.Tag("anonymous:203.0.113.7").Should().Be("{anonymous:203.0.113.7}");
        RedisKeys.Tag(new string('a', 10 * 1024)).Should().StartWith("{#").And.HaveLength(46);
        RedisKeys.Tag("a").Should().NotBe(RedisKeys.Tag("b"));
    }

    [Fact]
    public async Task Each_decision_is_one_evalsha_and_a_flushed_script_cache_is_refilled_once()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        var store = new RedisRateLimitStore(() => Task.FromResult<IConnectionMultiplexer>(connection), "rl", TimeSpan.FromSeconds(5));
        using var runtime = Runtime(store);
        using var limiter = Limiter(runtime, "trips", "p", RateLimitRule.Gcra(1000, TimeSpan.FromMinutes(1)));
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue(); // first call loads the script (NOSCRIPT, then EVAL)
        var admin = connection.GetServer(server.Endpoint);
        await admin.ExecuteAsync("CONFIG", "RESETSTAT");

        for (var i = 0; i < 20; i++)
        {
            (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();
        }

        var stats = await CommandStatsAsync(admin);
        stats.GetValueOrDefault("evalsha").Should().Be(20);
        stats.GetValueOrDefault("eval").Should().Be(0);
        // Commands run inside the script are counted too; nothing else reached the server.
        stats.Keys.Should().BeSubsetOf(["evalsha", "time", "get", "set", "config|resetstat"]);

        await admin.ExecuteAsync("SCRIPT", "FLUSH");
        var reloadsBefore = store.ScriptReloads;
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();
        (store.ScriptReloads - reloadsBefore).Should().Be(1);
    }

    [Fact]
    public async Task A_denied_partition_is_rejected_locally_until_its_retry_time()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        var time = new FakeTimeProvider();
        var store = new RedisRateLimitStore(() => Task.FromResult<IConnectionMultiplexer>(connection), "rl", TimeSpan.FromSeconds(5));
        await RedisTime.PinAsync(store, connection); // the three decisions below must share one window
        using var runtime = new RateLimitRuntime(store, new DistributedStoreSettings(), time);
        using var limiter = Limiter(runtime, "deny", "abuser", RateLimitRule.FixedWindow(2, TimeSpan.FromHours(1)));
        var admin = connection.GetServer(server.Endpoint);
        await limiter.AcquireAsync(1);
        await limiter.AcquireAsync(1);
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeFalse();
        await admin.ExecuteAsync("CONFIG", "RESETSTAT");

        for (var i = 0; i < 50; i++)
        {
            using var lease = await limiter.AcquireAsync(1);
            lease.IsAcquired.Should().BeFalse();
            lease.TryGetMetadata(MetadataName.RetryAfter, out _).Should().BeTrue();
        }

        (await CommandStatsAsync(admin)).GetValueOrDefault("evalsha").Should().Be(0, "the deny cache answered");

        time.Advance(TimeSpan.FromHours(1));
        await limiter.AcquireAsync(1);
        (await CommandStatsAsync(admin)).GetValueOrDefault("evalsha").Should().Be(1, "after the retry time the node asks Redis again");
    }

    [Fact]
    public async Task A_denied_partition_is_answered_with_one_lease_whose_retry_after_counts_down_with_the_clock()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        var time = new FakeTimeProvider();
        var store = new RedisRateLimitStore(() => Task.FromResult<IConnectionMultiplexer>(connection), "rl", TimeSpan.FromSeconds(5));
        await RedisTime.PinAsync(store, connection);
        using var runtime = new RateLimitRuntime(store, new DistributedStoreSettings(), time);
        using var limiter = Limiter(runtime, "deny", "abuser", RateLimitRule.Gcra(1, TimeSpan.FromHours(1)));
        var admin = connection.GetServer(server.Endpoint);
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();
        using var first = await limiter.AcquireAsync(1);
        first.IsAcquired.Should().BeFalse();
        first.TryGetMetadata(MetadataName.RetryAfter, out var retryAtFirst).Should().BeTrue();
        first.TryGetMetadata(RateLimitMetadataNames.Reset, out var resetAtFirst).Should().BeTrue();
        await admin.ExecuteAsync("CONFIG", "RESETSTAT");

        time.Advance(TimeSpan.FromMinutes(20));
        using var later = await limiter.AcquireAsync(1);
        var attempted = limiter.AttemptAcquire(1);

        later.Should().BeSameAs(first, "one lease answers the partition for the whole deny period");
        attempted.Should().BeSameAs(first);
        later.TryGetMetadata(MetadataName.RetryAfter, out var retryLater).Should().BeTrue();
        retryLater.Should().Be(retryAtFirst - TimeSpan.FromMinutes(20), "retry-after is the time left until the deny time, read when asked");
        later.TryGetMetadata(RateLimitMetadataNames.Reset, out var resetLater).Should().BeTrue();
        resetLater.Should().Be(resetAtFirst - TimeSpan.FromMinutes(20));
        limiter.GetStatistics()!.TotalFailedLeases.Should().Be(3);
        (await CommandStatsAsync(admin)).GetValueOrDefault("evalsha").Should().Be(0, "the limiter answered from its deny-cache lease");

        (await limiter.AcquireAsync(0)).IsAcquired.Should().BeFalse("no permit is free, but a probe is asked of Redis, never of the deny cache");
        (await CommandStatsAsync(admin)).GetValueOrDefault("evalsha").Should().Be(1);

        time.Advance(TimeSpan.FromMinutes(41));
        first.TryGetMetadata(MetadataName.RetryAfter, out _).Should().BeFalse("the deny time has passed");
        store.TimeOffsetMicros += (long)TimeSpan.FromMinutes(61).TotalMicroseconds;
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue("after the deny time the node asks Redis again");
        (await CommandStatsAsync(admin)).GetValueOrDefault("evalsha").Should().Be(2);
    }

    [Fact]
    public async Task An_admission_that_takes_the_last_gcra_permit_makes_the_node_deny_locally_until_the_next_permit()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        var time = new FakeTimeProvider();
        var store = new RedisRateLimitStore(() => Task.FromResult<IConnectionMultiplexer>(connection), "rl", TimeSpan.FromSeconds(5));
        await RedisTime.PinAsync(store, connection);
        using var runtime = new RateLimitRuntime(store, new DistributedStoreSettings(), time);
        // Two per hour: one permit every 30 minutes once both are taken.
        using var limiter = Limiter(runtime, "last", "abuser", RateLimitRule.Gcra(2, TimeSpan.FromHours(1)));
        var admin = connection.GetServer(server.Endpoint);
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue("the second permit; none is left after it");
        await admin.ExecuteAsync("CONFIG", "RESETSTAT");

        using var denied = await limiter.AcquireAsync(1);

        denied.IsAcquired.Should().BeFalse();
        ((StoreLease)denied).Decision.Source.Should().Be(DecisionSource.DenyCache);
        denied.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter).Should().BeTrue();
        retryAfter.Should().BeLessThanOrEqualTo(TimeSpan.FromMinutes(30), "never later than the next permit")
            .And.BeGreaterThan(TimeSpan.FromMinutes(30) - TimeSpan.FromSeconds(1));
        (await CommandStatsAsync(admin)).GetValueOrDefault("evalsha").Should().Be(0, "the admission's reply proved there is no permit until then");

        time.Advance(TimeSpan.FromMinutes(30));
        store.TimeOffsetMicros += (long)TimeSpan.FromMinutes(30).TotalMicroseconds;
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue("the next permit, from Redis");
        (await CommandStatsAsync(admin)).GetValueOrDefault("evalsha").Should().Be(1);
    }

    [Fact]
    public async Task A_policy_without_that_proof_asks_redis_after_its_last_permit()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        var store = new RedisRateLimitStore(() => Task.FromResult<IConnectionMultiplexer>(connection), "rl", TimeSpan.FromSeconds(5));
        await RedisTime.PinAsync(store, connection);
        using var runtime = new RateLimitRuntime(store, new DistributedStoreSettings(), new FakeTimeProvider());
        // Two limits (decide.lua): the reply carries no proof, so the next request goes to Redis and is rejected there.
        using var limiter = Limiter(runtime, "multi", "abuser", RateLimitRule.Gcra(2, TimeSpan.FromHours(1)),
            o => o.AdditionalRules.Add(RateLimitRule.FixedWindow(100, TimeSpan.FromDays(1))));
        var admin = connection.GetServer(server.Endpoint);
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();
        await admin.ExecuteAsync("CONFIG", "RESETSTAT");

        using var rejected = await limiter.AcquireAsync(1);

        rejected.IsAcquired.Should().BeFalse();
        ((StoreLease)rejected).Decision.Source.Should().Be(DecisionSource.Store);
        (await CommandStatsAsync(admin)).GetValueOrDefault("evalsha").Should().Be(1);
    }

    private async Task<List<string>> KeysAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var key in redis.Connection.GetServer(redis.Server.Endpoint).KeysAsync(pattern: prefix + "*"))
        {
            keys.Add(key!);
        }

        return keys;
    }

    private static async Task<Dictionary<string, long>> CommandStatsAsync(IServer server)
    {
        var info = await server.InfoAsync("commandstats");
        var stats = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pair in info.SelectMany(g => g))
        {
            // cmdstat_evalsha: calls=20,usec=...
            var name = pair.Key.Replace("cmdstat_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
            var calls = pair.Value.Split(',')[0].Split('=')[1];
            stats[name] = long.Parse(calls, CultureInfo.InvariantCulture);
        }

        return stats;
    }
}
