using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.RateLimiting.Store;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>
/// Coalesced decisions (issue 23): decisions that arrive while a call is on the wire go together in the next call,
/// each with the answer it would get alone. A call is held on the wire by pausing the server's writes
/// (<c>CLIENT PAUSE ... WRITE</c> holds every script until <c>CLIENT UNPAUSE</c>), so what joins a batch is decided
/// by the test, not by timing. Each test that pauses runs its own redis-server.
/// </summary>
public sealed class CoalescingTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const long Day = 86_400_000_000L;

    private static readonly StoreLimit[] Gcra = [new(RateLimitAlgorithm.Gcra, 5, Day, 0)];
    private static readonly StoreLimit[] GcraAndWindow = [new(RateLimitAlgorithm.Gcra, 4, Day, 0), new(RateLimitAlgorithm.FixedWindow, 3, Day, 0)];
    private static readonly StoreLimit[] Bucket = [new(RateLimitAlgorithm.TokenBucket, 3, Day, 1)];
    private static readonly StoreLimit[] Sliding = [new(RateLimitAlgorithm.SlidingWindow, 2, Day, 0)];
    private static readonly StoreLimit[] WithConcurrency = [new(RateLimitAlgorithm.Gcra, 10, Day, 0), new(RateLimitAlgorithm.Concurrency, 2, Day, 0)];

    /// <summary>Requests over three partitions and five policies, one-limit and multi-limit, probes and costs above 1, in the order they are asked.</summary>
    private static readonly (string Policy, string Partition, StoreLimit[] Limits, int Cost, string? Lease)[] Mixed =
    [
        ("gcra", "a", Gcra, 1, null),
        ("gcra", "b", Gcra, 2, null),
        ("multi", "a", GcraAndWindow, 1, null),
        ("gcra", "a", Gcra, 0, null),
        ("gcra", "a", Gcra, 3, null),
        ("bucket", "c", Bucket, 2, null),
        ("multi", "a", GcraAndWindow, 2, null),
        ("gcra", "a", Gcra, 1, null),
        ("sliding", "b", Sliding, 1, null),
        ("conc", "c", WithConcurrency, 1, "lease-1"),
        ("gcra", "a", Gcra, 1, null),
        ("multi", "a", GcraAndWindow, 1, null),
        ("bucket", "c", Bucket, 2, null),
        ("conc", "c", WithConcurrency, 1, "lease-2"),
        ("sliding", "b", Sliding, 2, null),
        ("multi", "a", GcraAndWindow, 0, null),
        ("conc", "c", WithConcurrency, 1, "lease-3"),
        ("gcra", "b", Gcra, 4, null),
        ("multi", "b", GcraAndWindow, 3, null),
    ];

    [Fact]
    public async Task A_lone_decision_is_sent_within_the_call_that_asks_for_it()
    {
        var store = new RedisRateLimitStore(() => Task.FromResult(redis.Connection), RedisFixture.UniquePrefix(), TimeSpan.FromSeconds(5));
        await store.DecideAsync(new StoreRequest("warm", "p", Gcra, 1, null), CancellationToken.None);
        var sent = new List<(int Slot, int Count)>();
        store.CallSent += (slot, count) => sent.Add((slot, count));

        var decision = store.DecideAsync(new StoreRequest("lone", "p", Gcra, 1, null), CancellationToken.None);

        sent.Should().Equal([(-1, 1)], "the call leaves before DecideAsync returns: nothing waits for company");
        (await decision).Allowed.Should().BeTrue();
    }

    [Fact]
    public async Task Decisions_that_arrive_while_a_call_is_on_the_wire_go_together_with_the_answers_one_by_one_would_give()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await using var adminConnection = await server.ConnectAsync(o => o.AllowAdmin = true);
        var coalesced = new RedisRateLimitStore(() => Task.FromResult<IConnectionMultiplexer>(connection), "c:", TimeSpan.FromSeconds(30));
        var oneByOne = new RedisRateLimitStore(() => Task.FromResult<IConnectionMultiplexer>(connection), "s:", TimeSpan.FromSeconds(30), coalesce: false);
        await RedisTime.PinAsync(coalesced, connection);
        await RedisTime.PinAsync(oneByOne, connection);
        await coalesced.DecideAsync(new StoreRequest("warm", "p", Gcra, 1, null), CancellationToken.None);
        var sent = new List<(int Slot, int Count)>();
        coalesced.CallSent += (slot, count) => sent.Add((slot, count));

        var admin = adminConnection.GetServer(server.Endpoint);
        await admin.ExecuteAsync("CLIENT", "PAUSE", "30000", "WRITE");
        var first = coalesced.DecideAsync(Request(Mixed[0]), CancellationToken.None).AsTask();
        var rest = Mixed.Skip(1).Select(r => coalesced.DecideAsync(Request(r), CancellationToken.None).AsTask()).ToList();
        sent.Should().Equal([(-1, 1)], "the others arrived while the first call was held");
        await admin.ExecuteAsync("CLIENT", "UNPAUSE");
        var answers = await Task.WhenAll(rest.Prepend(first));

        sent.Should().Equal([(-1, 1), (-1, Mixed.Length - 1)], "everything that arrived during the first call went in the second");
        for (var i = 0; i < Mixed.Length; i++)
        {
            var expected = await oneByOne.DecideAsync(Request(Mixed[i]), CancellationToken.None);
            ShouldMatch(answers[i], expected, $"request {i} ({Mixed[i].Policy}/{Mixed[i].Partition}, cost {Mixed[i].Cost})");
        }

        answers.Count(a => a.Allowed).Should().BeInRange(5, Mixed.Length - 5, "the mix both admits and rejects");
    }

    [Fact]
    public async Task A_caller_canceled_while_waiting_gets_its_cancellation_and_takes_nothing_while_the_others_get_their_answers()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await using var adminConnection = await server.ConnectAsync(o => o.AllowAdmin = true);
        var store = new RedisRateLimitStore(() => Task.FromResult<IConnectionMultiplexer>(connection), "c:", TimeSpan.FromSeconds(30));
        await store.DecideAsync(new StoreRequest("warm", "p", Gcra, 1, null), CancellationToken.None);
        var sent = new List<int>();
        store.CallSent += (_, count) => sent.Add(count);
        var admin = adminConnection.GetServer(server.Endpoint);
        using var cancel = new CancellationTokenSource();

        await admin.ExecuteAsync("CLIENT", "PAUSE", "30000", "WRITE");
        var first = store.DecideAsync(new StoreRequest("gcra", "a", Gcra, 1, null), CancellationToken.None).AsTask();
        var second = store.DecideAsync(new StoreRequest("gcra", "a", Gcra, 1, null), CancellationToken.None).AsTask();
        var canceled = store.DecideAsync(new StoreRequest("gcra", "a", Gcra, 1, null), cancel.Token).AsTask();
        var third = store.DecideAsync(new StoreRequest("gcra", "a", Gcra, 1, null), CancellationToken.None).AsTask();
        await cancel.CancelAsync();
        await canceled.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        await admin.ExecuteAsync("CLIENT", "UNPAUSE");

        (await first).Results[0].Remaining.Should().Be(4);
        (await second).Results[0].Remaining.Should().Be(3);
        (await third).Results[0].Remaining.Should().Be(2, "the canceled decision was left out of the batch and took nothing");
        sent.Should().Equal(1, 2);
    }

    [Fact]
    public async Task Decisions_queued_behind_a_call_that_timed_out_fail_at_once_without_a_call_of_their_own()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await using var adminConnection = await server.ConnectAsync(o => o.AllowAdmin = true);
        var store = new RedisRateLimitStore(() => Task.FromResult<IConnectionMultiplexer>(connection), "c:", TimeSpan.FromMilliseconds(300));
        await store.DecideAsync(new StoreRequest("warm", "p", Gcra, 1, null), CancellationToken.None);
        var sent = new List<int>();
        store.CallSent += (_, count) => { lock (sent) { sent.Add(count); } };
        var admin = adminConnection.GetServer(server.Endpoint);

        await admin.ExecuteAsync("CLIENT", "PAUSE", "30000", "WRITE");
        try
        {
            var first = store.DecideAsync(new StoreRequest("gcra", "a", Gcra, 1, null), CancellationToken.None).AsTask();
            var queued = Enumerable.Range(0, 3).Select(_ => store.DecideAsync(new StoreRequest("gcra", "a", Gcra, 1, null), CancellationToken.None).AsTask()).ToList();

            await first.Invoking(t => t).Should().ThrowAsync<RateLimitStoreException>();
            foreach (var decision in queued)
            {
                await decision.Invoking(t => t).Should().ThrowAsync<RateLimitStoreException>("Redis did not answer the call they waited behind");
            }

            sent.Should().Equal([1], "the queued decisions were not sent after the timeout");
        }
        finally
        {
            await admin.ExecuteAsync("CLIENT", "UNPAUSE");
        }
    }

    [Fact]
    public async Task On_redis_cluster_decisions_are_grouped_by_hash_slot()
    {
        await using var server = await RedisServer.StartAsync(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]);
        await using var connection = await ClusterAsync(server);
        await using var adminConnection = await server.ConnectAsync(o => o.AllowAdmin = true);
        var store = new RedisRateLimitStore(() => Task.FromResult<IConnectionMultiplexer>(connection), "rl", TimeSpan.FromSeconds(30));
        await store.DecideAsync(new StoreRequest("warm", "p", Gcra, 1, null), CancellationToken.None);
        var sent = new List<(int Slot, int Count)>();
        store.CallSent += (slot, count) => { lock (sent) { sent.Add((slot, count)); } };
        // StackExchange.Redis gives no slot on a one-node cluster: the store computes them (12386, 14067 by the spec's CRC-16).
        var slotA = ClusterSlot.Of("rlgcra:{tenant-1}");
        var slotB = ClusterSlot.Of("rlmulti:{tenant-2}:0");
        ((int)await connection.GetDatabase().ExecuteAsync("CLUSTER", "KEYSLOT", "{tenant-1}")).Should().Be(slotA, "the server agrees");
        slotA.Should().NotBe(slotB);
        var admin = adminConnection.GetServer(server.Endpoint);

        await admin.ExecuteAsync("CLIENT", "PAUSE", "30000", "WRITE");
        var calls = new List<Task<StoreDecision>>
        {
            store.DecideAsync(new StoreRequest("gcra", "tenant-1", Gcra, 1, null), CancellationToken.None).AsTask(),
            store.DecideAsync(new StoreRequest("gcra", "tenant-2", Gcra, 1, null), CancellationToken.None).AsTask(),
        };
        for (var i = 0; i < 3; i++)
        {
            calls.Add(store.DecideAsync(new StoreRequest("gcra", "tenant-1", Gcra, 1, null), CancellationToken.None).AsTask());
            calls.Add(store.DecideAsync(new StoreRequest("multi", "tenant-2", GcraAndWindow, 1, null), CancellationToken.None).AsTask());
        }

        await admin.ExecuteAsync("CLIENT", "UNPAUSE");
        var answers = await Task.WhenAll(calls);

        answers.Should().OnlyContain(a => a.Allowed, "a batch mixing slots would fail with CROSSSLOT");
        answers.Where((_, i) => i == 0 || (i >= 2 && i % 2 == 0)).Select(a => a.Results[0].Remaining).Should().Equal(4, 3, 2, 1);
        sent.Should().BeEquivalentTo([(slotA, 1), (slotB, 1), (slotA, 3), (slotB, 3)], "one batch per slot: each slot's first call alone, the rest together");
    }

    [Fact]
    public async Task With_coalescing_off_every_decision_is_a_call_of_its_own()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await using var adminConnection = await server.ConnectAsync(o => o.AllowAdmin = true);
        var admin = adminConnection.GetServer(server.Endpoint);
        foreach (var coalesce in new[] { false, true })
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton<IConnectionMultiplexer>(connection);
            services.AddStrataRateLimiting().UseRedis(o =>
            {
                o.KeyPrefix = coalesce ? "on:" : "off:";
                o.CommandTimeout = TimeSpan.FromSeconds(30);
                if (!coalesce)
                {
                    o.CoalesceDecisions = false;
                }
            });
            await using var provider = services.BuildServiceProvider();
            var store = provider.GetRequiredService<RedisRateLimitStore>();
            await store.DecideAsync(new StoreRequest("warm", "p", Gcra, 1, null), CancellationToken.None);
            await admin.ScriptLoadAsync(LuaScriptFile.DecideBatch.Text);
            await admin.ExecuteAsync("CONFIG", "RESETSTAT");

            await admin.ExecuteAsync("CLIENT", "PAUSE", "30000", "WRITE");
            var calls = Enumerable.Range(0, 6).Select(i => store.DecideAsync(new StoreRequest("gcra", "p" + i, Gcra, 1, null), CancellationToken.None).AsTask()).ToList();
            await admin.ExecuteAsync("CLIENT", "UNPAUSE");
            (await Task.WhenAll(calls)).Should().OnlyContain(a => a.Allowed);

            (await ScriptCallsAsync(admin)).Should().Be(coalesce ? 2 : 6, coalesce ? "the first alone, the other five together" : "one call per decision");
        }
    }

    private static StoreRequest Request((string Policy, string Partition, StoreLimit[] Limits, int Cost, string? Lease) r) =>
        new(r.Policy, r.Partition, r.Limits, r.Cost, r.Lease);

    private static void ShouldMatch(StoreDecision actual, StoreDecision expected, string because)
    {
        // Both stores see the server's clock pinned to the same instant, give or take the test's run time (well
        // under the tolerance; a day-long period earns a permit back only every few hours).
        const ulong tolerance = 5_000_000;
        actual.Allowed.Should().Be(expected.Allowed, because);
        actual.Results.Should().HaveSameCount(expected.Results, because);
        for (var l = 0; l < expected.Results.Length; l++)
        {
            var a = actual.Results[l];
            var e = expected.Results[l];
            a.Allowed.Should().Be(e.Allowed, because);
            a.Remaining.Should().Be(e.Remaining, because);
            a.ResetMicros.Should().BeCloseTo(e.ResetMicros, tolerance, because);
            a.RetryMicros.Should().BeCloseTo(e.RetryMicros, tolerance, because);
        }

        (actual.NoPermitForMicros > 0).Should().Be(expected.NoPermitForMicros > 0, because);
    }

    private static async Task<long> ScriptCallsAsync(IServer admin)
    {
        var stats = (string?)await admin.ExecuteAsync("INFO", "commandstats") ?? string.Empty;
        long calls = 0;
        foreach (var line in stats.Split('\n'))
        {
            if (line.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal) || line.StartsWith("cmdstat_eval:", StringComparison.Ordinal))
            {
                var start = line.IndexOf("calls=", StringComparison.Ordinal) + 6;
                calls += long.Parse(line[start..line.IndexOf(',', start)], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }

    private static async Task<ConnectionMultiplexer> ClusterAsync(RedisServer server)
    {
        await using (var admin = await server.ConnectAsync(o => o.AllowAdmin = true))
        {
            await admin.GetDatabase().ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
            while (!((string?)await admin.GetDatabase().ExecuteAsync("CLUSTER", "INFO"))!.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                await Task.Delay(50);
            }
        }

        return await server.ConnectAsync(o => o.AllowAdmin = true);
    }
}
