using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Strata.ApiKeys.Internal;
using Strata.Testing;

namespace Strata.ApiKeys.Tests;

/// <summary>
/// The cached-only lookup of a blocked address (<see cref="ApiKeyLookup.FindCachedOnlyAsync"/>): a fresh cached
/// answer is used at once, never queued behind the address's one store lookup. A miss falls back to that queue and
/// gets the same answer, so these tests hold the queue to tell the two apart (found by the Stryker run over
/// ApiKeyLookup, docs/testing.md).
/// </summary>
public sealed class BlockedAddressCachedLookupTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const string Scheme = ApiKeyDefaults.AuthenticationScheme;
    private const string Client = "203.0.113.71";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 8, 1, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Cached_only_lookup_answers_from_the_cache_by_each_entry_s_own_lifetime()
    {
        await using var app = await TestApp.StartAsync(keys: o =>
        {
            o.CacheDuration = TimeSpan.FromSeconds(30);
            o.NegativeCacheDuration = TimeSpan.FromSeconds(5);
            o.BruteForce.Enabled = false;
        });
        var lookup = app.App.Services.GetRequiredService<ApiKeyLookup>();
        var created = await app.CreateKeyAsync();
        var other = await app.CreateKeyAsync();
        var unknown = ApiKeyFormat.Generate("sk_test");
        var record = await lookup.FindAsync(created.Key, CancellationToken.None);
        (await lookup.FindAsync(other.Key, CancellationToken.None)).Should().NotBeNull();
        (await lookup.FindAsync(unknown, CancellationToken.None)).Should().BeNull();

        var (cached, found) = await lookup.FindCachedOnlyAsync(created.Key, memo: null, Scheme, CancellationToken.None);
        cached.Should().BeTrue();
        found.Should().BeSameAs(record, "each key is found under its own cache key");
        (await lookup.FindCachedOnlyAsync(unknown, memo: null, Scheme, CancellationToken.None)).Should().Be((true, (ApiKeyRecord?)null), "a fresh negative entry is a cached answer");
        (await lookup.FindCachedOnlyAsync(ApiKeyFormat.Generate("sk_test"), memo: null, Scheme, CancellationToken.None)).Should().Be((false, (ApiKeyRecord?)null), "a key never looked up is not cached");

        // Older than NegativeCacheDuration, younger than CacheDuration: the record is still a cached answer.
        app.Time.Advance(TimeSpan.FromSeconds(10));
        (await lookup.FindCachedOnlyAsync(created.Key, memo: null, Scheme, CancellationToken.None)).Should().Be((true, record));
        (await lookup.FindCachedOnlyAsync(unknown, memo: null, Scheme, CancellationToken.None)).Cached.Should().BeFalse("the negative entry is stale");
    }

    [Fact]
    public async Task Cached_only_lookup_remembers_a_found_key_on_the_connection_and_never_an_unknown_one()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.Enabled = false);
        var lookup = app.App.Services.GetRequiredService<ApiKeyLookup>();
        var created = await app.CreateKeyAsync();
        var unknown = ApiKeyFormat.Generate("sk_test");
        var record = await lookup.FindAsync(created.Key, CancellationToken.None);
        (await lookup.FindAsync(unknown, CancellationToken.None)).Should().BeNull();
        var memo = new ConnectionKeyMemo();
        var unknownMemo = new ConnectionKeyMemo();

        (await lookup.FindCachedOnlyAsync(created.Key, memo, Scheme, CancellationToken.None)).Should().Be((true, record));
        (await lookup.FindCachedOnlyAsync(unknown, unknownMemo, Scheme, CancellationToken.None)).Should().Be((true, (ApiKeyRecord?)null));

        lookup.TryReuse(memo, created.Key, app.Time.GetUtcNow(), out var snapshot).Should().BeTrue("the connection's next request with the key needs no lookup");
        snapshot!.Entry.Record.Should().BeSameAs(record);
        snapshot.Feature.Scheme.Should().Be(Scheme);
        unknownMemo.Current.Should().BeNull("an unknown key is never remembered");
    }

    [Fact]
    public async Task Blocked_address_cached_key_is_answered_while_the_address_s_store_lookup_is_held()
    {
        await using var app = await TestApp.StartAsync(keys: o =>
        {
            o.CacheDuration = TimeSpan.FromSeconds(30);
            o.NegativeCacheDuration = TimeSpan.FromSeconds(5);
            o.BruteForce.PermitFailures = 1;
        });
        var created = await app.CreateKeyAsync();
        (await app.GetAsync("/me", created.Key, Client)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.GetAsync("/me", "sk_test_bad", Client)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the failure blocks the address");

        // Older than NegativeCacheDuration, younger than CacheDuration: the cached record is still fresh.
        app.Time.Advance(TimeSpan.FromSeconds(10));

        await AnsweredWhileTheAddressLookupIsHeldAsync(app, created.Key);
        app.Store.FindByHashCalls.Should().Be(2, "the key's first lookup and the held guess");
    }

    [Fact]
    public async Task Blocked_address_key_cached_by_another_node_in_redis_is_answered_while_the_address_s_store_lookup_is_held()
    {
        var instance = RedisFixture.UniquePrefix();
        var shared = new InMemoryApiKeyStore();
        await using var nodeA = await StartWithRedisAsync(instance, shared);
        await using var nodeB = await StartWithRedisAsync(instance, shared);
        var created = await nodeA.CreateKeyAsync();
        (await nodeA.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        await WaitUntilAsync(async () => await redis.Connection.GetDatabase().KeyExistsAsync(instance + CacheKeyOf(nodeA, created.Key)));
        (await nodeB.GetAsync("/me", "sk_test_bad", Client)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the failure blocks the address on node B");

        await AnsweredWhileTheAddressLookupIsHeldAsync(nodeB, created.Key);
        nodeB.Store.FindByHashCalls.Should().Be(1, "node B read the key from Redis; its one store lookup was the held guess");
    }

    /// <summary>
    /// Holds a guess of the blocked address in the store (the address's one lookup), then sends the cached key from
    /// the address: it is answered without waiting for that lookup's turn.
    /// </summary>
    private static async Task AnsweredWhileTheAddressLookupIsHeldAsync(TestApp app, string key)
    {
        var guard = app.App.Services.GetRequiredService<BruteForceGuard>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Store.DuringFindByHash = () => release.Task;
        var guess = app.GetAsync("/me", ApiKeyFormat.Generate("sk_test"), Client);
        await WaitUntilAsync(() => Task.FromResult(app.Store.FindsInFlight == 1));

        var valid = app.GetAsync("/me", key, Client);
        await WaitUntilAsync(() => Task.FromResult(valid.IsCompleted || guard.WaitingLookups > 0));

        guard.WaitingLookups.Should().Be(0, "a fresh cached key does not queue behind the address's store lookup");
        (await valid).StatusCode.Should().Be(HttpStatusCode.OK);
        release.SetResult();
        (await guess).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
    }

    private async Task<TestApp> StartWithRedisAsync(string instance, IApiKeyStore shared)
    {
        var connection = await redis.Server.ConnectAsync();
        return await TestApp.StartAsync(
            keys: o => o.BruteForce.PermitFailures = 1,
            services: b => b.Services.AddStackExchangeRedisCache(o =>
            {
                o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(connection);
                o.InstanceName = instance;
            }),
            time: _time,
            sharedInner: shared);
    }

    private static string CacheKeyOf(TestApp app, string key)
    {
        Span<byte> hash = stackalloc byte[ApiKeyHasher.HashSize];
        app.App.Services.GetRequiredService<ApiKeyHasher>().Hash(key, hash);
        return ApiKeyHasher.CacheKeyFor(hash);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), timeout.Token);
        }
    }
}
