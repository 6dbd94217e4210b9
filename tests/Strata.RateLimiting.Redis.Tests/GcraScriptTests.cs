using StackExchange.Redis;
using Strata.RateLimiting.Store;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>The lean gcra.lua that decides one-limit GCRA policies: same answers as decide.lua, TTLs, loading.</summary>
public sealed class GcraScriptTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Theory]
    [InlineData(5, 60)]
    [InlineData(7, 60)]
    [InlineData(100, 3600)]
    [InlineData(3, 86400)]
    [InlineData(10_000, 30 * 86400)] // too large to pack: the admission comes back as an array of four
    public async Task The_lean_script_decides_like_decide_lua_for_the_same_sequence_of_requests(int limit, int periodSeconds)
    {
        var prefix = RedisFixture.UniquePrefix();
        var store = new RedisRateLimitStore(() => Task.FromResult(redis.Connection), prefix, TimeSpan.FromSeconds(5));
        StoreLimit[] specs = [new(RateLimitAlgorithm.Gcra, limit, periodSeconds * 1_000_000L, 0)];
        int[] costs = [1, 0, 2, 1, 0, limit, 1, 3, 0, 1, 1, 2, limit + 1, 0, 1];
        // Time moves between the two calls of a pair (and the first pair fixes both keys' start): reset and retry
        // may differ by that much, far less than one emission interval (at least 8.5 s here).
        var tolerance = 1_000_000L;
        await store.DecideAsync(new StoreRequest("warm", "lean", specs, 1, null), CancellationToken.None);
        await store.DecideGeneralAsync(new StoreRequest("warm", "general", specs, 1, null), CancellationToken.None);

        foreach (var cost in costs)
        {
            var lean = await store.DecideAsync(new StoreRequest("lean", "p", specs, cost, null), CancellationToken.None);
            var general = await store.DecideGeneralAsync(new StoreRequest("general", "p", specs, cost, null), CancellationToken.None);

            lean.Allowed.Should().Be(general.Allowed, $"cost {cost}");
            lean.Results.Should().ContainSingle();
            var a = lean.Results[0];
            var b = general.Results[0];
            a.Allowed.Should().Be(b.Allowed, $"cost {cost}");
            a.Remaining.Should().Be(b.Remaining, $"cost {cost}");
            a.ResetMicros.Should().BeCloseTo(b.ResetMicros, (ulong)tolerance, $"cost {cost}");
            a.RetryMicros.Should().BeCloseTo(b.RetryMicros, (ulong)tolerance, $"cost {cost}");
            (a.RetryMicros == 0).Should().Be(b.RetryMicros == 0, $"cost {cost}");
        }

        var database = redis.Connection.GetDatabase();
        var leanTat = (double)await database.StringGetAsync($"{prefix}lean:{{p}}");
        var generalTat = (double)await database.StringGetAsync($"{prefix}general:{{p}}");
        leanTat.Should().BeApproximately(generalTat, tolerance, "both scripts store the same theoretical arrival time");
    }

    [Theory]
    [InlineData(5, 60_000_000L, true)]
    [InlineData(1_000_000, 60_000_000L, true)]
    [InlineData(100, 86_400_000_000L, true)]
    [InlineData(10_000, 2_592_000_000_000L, false)]
    [InlineData(int.MaxValue, 86_400_000_000L, false)]
    [InlineData(67_108_863, 134_217_726L, true)]  // (limit + 1) * (period + 1) = 2^53 - 2^26: the largest that packs with this limit
    [InlineData(67_108_863, 134_217_727L, false)] // (limit + 1) * (period + 1) = 2^53: one microsecond more no longer packs
    public async Task An_admission_is_packed_into_one_integer_only_when_it_fits_exactly_in_a_lua_number(int limit, long periodMicros, bool packs)
    {
        var spec = new StoreLimit(RateLimitAlgorithm.Gcra, limit, periodMicros, 0);
        var key = RedisFixture.UniquePrefix() + "{p}";

        var reply = await redis.Connection.GetDatabase().ScriptEvaluateAsync(LuaScriptFile.Gcra.Text, [key], [1, spec.Limit, spec.PeriodMicros]);

        reply.Resp2Type.Should().Be(packs ? ResultType.Integer : ResultType.Array);
        RedisRateLimitStore.GcraPacks(spec).Should().Be(packs, "the client expects what the script sends");
        long remaining, reset;
        if (packs)
        {
            var packed = (long)reply;
            remaining = packed % (limit + 1L);
            reset = packed / (limit + 1L);
        }
        else
        {
            var values = (RedisResult[])reply!;
            ((long)values[0]).Should().Be(1, "admitted");
            ((long)values[3]).Should().Be(0, "an admission has no retry time");
            remaining = (long)values[1];
            reset = (long)values[2];
        }

        // Exact when packed; for limits near int.MaxValue the division in doubles may round down by one (never up).
        remaining.Should().BeInRange(packs ? limit - 1L : limit - 2L, limit - 1L, "remaining after the first permit");
        reset.Should().BeCloseTo((long)Math.Ceiling((double)periodMicros / limit), 1, "reset: one emission interval");
    }

    [Fact]
    public async Task The_lean_script_writes_its_key_with_a_ttl_and_a_probe_writes_nothing()
    {
        var prefix = RedisFixture.UniquePrefix();
        var store = new RedisRateLimitStore(() => Task.FromResult(redis.Connection), prefix, TimeSpan.FromSeconds(5));
        StoreLimit[] specs = [new(RateLimitAlgorithm.Gcra, 10, 60_000_000L, 0)];
        var database = redis.Connection.GetDatabase();
        var key = $"{prefix}ttl:{{p}}";

        var probe = await store.DecideAsync(new StoreRequest("ttl", "p", specs, 0, null), CancellationToken.None);
        probe.Allowed.Should().BeTrue();
        probe.Results[0].Remaining.Should().Be(10);
        (await database.KeyExistsAsync(key)).Should().BeFalse("a probe takes nothing");

        var taken = await store.DecideAsync(new StoreRequest("ttl", "p", specs, 4, null), CancellationToken.None);
        taken.Allowed.Should().BeTrue();
        taken.Results[0].Remaining.Should().Be(6);
        var ttl = await database.KeyTimeToLiveAsync(key);
        ttl.Should().NotBeNull();
        ttl!.Value.Should().BePositive().And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(25), "the key lives until the theoretical arrival time (4 of 10 per minute: 24 s)");
    }

    [Fact]
    public async Task A_one_limit_gcra_policy_runs_the_lean_script_and_reloads_it_after_noscript()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        var store = new RedisRateLimitStore(() => Task.FromResult<IConnectionMultiplexer>(connection), "rl", TimeSpan.FromSeconds(5));
        StoreLimit[] specs = [new(RateLimitAlgorithm.Gcra, 100, 60_000_000L, 0)];
        var admin = connection.GetServer(server.Endpoint);

        (await store.DecideAsync(new StoreRequest("lean", "p", specs, 1, null), CancellationToken.None)).Allowed.Should().BeTrue();
        (await ScriptExistsAsync(admin, LuaScriptFile.Gcra)).Should().BeTrue();
        (await ScriptExistsAsync(admin, LuaScriptFile.Decide)).Should().BeFalse("a one-limit GCRA policy never needs decide.lua");

        await admin.ExecuteAsync("SCRIPT", "FLUSH");
        var before = store.ScriptReloads;
        (await store.DecideAsync(new StoreRequest("lean", "p", specs, 1, null), CancellationToken.None)).Results[0].Remaining.Should().Be(98);
        (await store.DecideAsync(new StoreRequest("lean", "p", specs, 1, null), CancellationToken.None)).Results[0].Remaining.Should().Be(97);
        (store.ScriptReloads - before).Should().Be(1);
        (await ScriptExistsAsync(admin, LuaScriptFile.Gcra)).Should().BeTrue();
    }

    [Fact]
    public async Task A_partition_slot_keeps_the_key_so_later_decisions_count_on_the_same_hash_tagged_key()
    {
        var prefix = RedisFixture.UniquePrefix();
        var store = new RedisRateLimitStore(() => Task.FromResult(redis.Connection), prefix, TimeSpan.FromSeconds(5));
        StoreLimit[] specs = [new(RateLimitAlgorithm.Gcra, 3, 60_000_000L, 0)];
        var slot = new PartitionSlot();

        var decisions = new List<StoreDecision>();
        for (var i = 0; i < 4; i++)
        {
            decisions.Add(await store.DecideAsync(new StoreRequest("slot", "tenant-9", specs, 1, null, slot), CancellationToken.None));
        }

        ((RedisKey[])slot.StoreState!).Should().Equal((RedisKey)$"{prefix}slot:{{tenant-9}}");
        decisions.Select(d => d.Allowed).Should().Equal(true, true, true, false);
        decisions.Select(d => d.Results[0].Remaining).Should().Equal(2, 1, 0, 0);
        (await redis.Connection.GetDatabase().KeyTimeToLiveAsync($"{prefix}slot:{{tenant-9}}")).Should().NotBeNull();
    }

    private static async Task<bool> ScriptExistsAsync(IServer server, LuaScriptFile script)
    {
        var result = await server.ExecuteAsync("SCRIPT", "EXISTS", Convert.ToHexString(script.Sha1).ToLowerInvariant());
        return (long)result[0] == 1;
    }
}
