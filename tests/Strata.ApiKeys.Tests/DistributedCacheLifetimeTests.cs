using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Strata.ApiKeys.Internal;
using Strata.Testing;

namespace Strata.ApiKeys.Tests;

/// <summary>
/// How long a lookup's entry lives in a real Redis as HybridCache's distributed cache (L2), read as the key's TTL:
/// an unknown key's entry is shortened to NegativeCacheDuration, and a refresh writes its entry back (found by the
/// Stryker run over ApiKeyLookup, docs/testing.md). Freshness is judged by the TimeProvider, so the answers do not
/// show these lifetimes; Redis's own clock does. Redis counts real time, so each bound below leaves minutes of slack.
/// </summary>
public sealed class DistributedCacheLifetimeTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private static readonly TimeSpan CacheDuration = TimeSpan.FromHours(1);
    private static readonly TimeSpan NegativeCacheDuration = TimeSpan.FromMinutes(10);

    /// <summary>A TTL set by hand between two lookups, shorter than both lifetimes: a write by the lookup replaces it.</summary>
    private static readonly TimeSpan Marker = TimeSpan.FromMinutes(5);

    private readonly string _instance = RedisFixture.UniquePrefix();

    [Fact]
    public async Task Unknown_key_entry_lives_in_the_distributed_cache_for_NegativeCacheDuration_only()
    {
        await using var app = await StartAsync();
        var guess = ApiKeyFormat.Generate("sk_test");

        (await app.GetAsync("/me", guess)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var ttl = await TimeToLiveAsync(app, guess);
        ttl.Should().BePositive().And.BeLessThanOrEqualTo(NegativeCacheDuration, "an unknown key's entry is written with the short lifetime, not CacheDuration");

        // Shortened once: a lookup answered from that entry does not write it again.
        await SetTimeToLiveAsync(app, guess, Marker);
        (await app.GetAsync("/me", guess)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        app.Store.FindByHashCalls.Should().Be(1);
        (await TimeToLiveAsync(app, guess)).Should().BeLessThanOrEqualTo(Marker, "the shortened entry was not written again");
    }

    [Fact]
    public async Task Unknown_key_looked_up_again_after_NegativeCacheDuration_is_written_back_with_the_short_lifetime_once()
    {
        await using var app = await StartAsync();
        var guess = ApiKeyFormat.Generate("sk_test");
        (await app.GetAsync("/me", guess)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await SetTimeToLiveAsync(app, guess, Marker);

        app.Time.Advance(NegativeCacheDuration);
        (await app.GetAsync("/me", guess)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        app.Store.FindByHashCalls.Should().Be(2, "the negative entry was stale");
        (await TimeToLiveAsync(app, guess)).Should().BeGreaterThan(Marker, "the refreshed entry was written back")
            .And.BeLessThanOrEqualTo(NegativeCacheDuration, "with an unknown key's lifetime");

        // The refreshed entry is already shortened: answering from it writes nothing.
        await SetTimeToLiveAsync(app, guess, Marker);
        (await app.GetAsync("/me", guess)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        app.Store.FindByHashCalls.Should().Be(2);
        (await TimeToLiveAsync(app, guess)).Should().BeLessThanOrEqualTo(Marker, "the refreshed entry was not written again");
    }

    [Fact]
    public async Task Found_key_looked_up_again_after_CacheDuration_is_written_back_with_CacheDuration()
    {
        await using var app = await StartAsync();
        var created = await app.CreateKeyAsync();
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        await SetTimeToLiveAsync(app, created.Key, Marker);   // the lookup wrote the entry before it answered

        app.Time.Advance(CacheDuration);
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);

        app.Store.FindByHashCalls.Should().Be(2, "the cached record was stale");
        (await TimeToLiveAsync(app, created.Key)).Should().BeGreaterThan(NegativeCacheDuration, "the refreshed record was written back with CacheDuration")
            .And.BeLessThanOrEqualTo(CacheDuration);
    }

    [Fact]
    public async Task Found_key_entry_is_written_once_with_CacheDuration_before_the_first_answer()
    {
        await using var app = await StartAsync();
        var created = await app.CreateKeyAsync();

        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);

        (await TimeToLiveAsync(app, created.Key)).Should().BeGreaterThan(NegativeCacheDuration).And.BeLessThanOrEqualTo(CacheDuration);

        // Answered from the cache: nothing is written again.
        await SetTimeToLiveAsync(app, created.Key, Marker);
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        app.Store.FindByHashCalls.Should().Be(1);
        (await TimeToLiveAsync(app, created.Key)).Should().BeLessThanOrEqualTo(Marker, "the cached record was not written again");
    }

    [Fact]
    public async Task Unknown_key_entry_keeps_the_short_lifetime_when_the_distributed_cache_writes_slowly()
    {
        // Each key's first write to Redis takes 300 ms, as on a slow link. Were HybridCache to write the store's answer
        // itself (in the background, after answering, with CacheDuration), that write would land after the lookup's
        // shortened one and keep a guessed key in Redis for an hour.
        var connection = await redis.Server.ConnectAsync();
        using var redisCache = new RedisCache(Options.Create(new RedisCacheOptions
        {
            ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(connection),
            InstanceName = _instance,
        }));
        var cache = new FirstWriteLateCache(redisCache);
        await using var app = await TestApp.StartAsync(
            keys: o =>
            {
                o.CacheDuration = CacheDuration;
                o.NegativeCacheDuration = NegativeCacheDuration;
                o.BruteForce.Enabled = false;
            },
            services: b => b.Services.AddSingleton<IDistributedCache>(cache));
        var guess = ApiKeyFormat.Generate("sk_test");

        (await app.GetAsync("/me", guess)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        cache.Writes.Should().Be(1, "the entry is written once, by the lookup, before it answers");
        (await TimeToLiveAsync(app, guess)).Should().BePositive().And.BeLessThanOrEqualTo(NegativeCacheDuration);
    }

    /// <summary>The app, with a connection of its own (the Redis cache disposes it with the host); the fixture's reads the TTLs.</summary>
    private async Task<TestApp> StartAsync()
    {
        var connection = await redis.Server.ConnectAsync();
        return await TestApp.StartAsync(
            keys: o =>
            {
                o.CacheDuration = CacheDuration;
                o.NegativeCacheDuration = NegativeCacheDuration;
                o.BruteForce.Enabled = false;
            },
            services: b => b.Services.AddStackExchangeRedisCache(o =>
            {
                o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(connection);
                o.InstanceName = _instance;
            }));
    }

    private RedisKey EntryOf(TestApp app, string key)
    {
        Span<byte> hash = stackalloc byte[ApiKeyHasher.HashSize];
        app.App.Services.GetRequiredService<ApiKeyHasher>().Hash(key, hash);
        return _instance + ApiKeyHasher.CacheKeyFor(hash);
    }

    private async Task<TimeSpan> TimeToLiveAsync(TestApp app, string key)
    {
        var ttl = await redis.Connection.GetDatabase().KeyTimeToLiveAsync(EntryOf(app, key));
        ttl.Should().NotBeNull("the lookup's entry is in Redis, with a lifetime");
        return ttl!.Value;
    }

    private async Task SetTimeToLiveAsync(TestApp app, string key, TimeSpan ttl)
        => (await redis.Connection.GetDatabase().KeyExpireAsync(EntryOf(app, key), ttl)).Should().BeTrue("the entry is in Redis");

    /// <summary>A real distributed cache whose first write of each key is 300 ms late; counts the writes.</summary>
    private sealed class FirstWriteLateCache(IDistributedCache inner) : IDistributedCache
    {
        private readonly ConcurrentDictionary<string, byte> _written = new(StringComparer.Ordinal);
        private int _writes;

        public int Writes => Volatile.Read(ref _writes);

        public byte[]? Get(string key) => inner.Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => inner.GetAsync(key, token);

        public void Refresh(string key) => inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

        public void Remove(string key) => inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, value, options);

        public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Interlocked.Increment(ref _writes);
            if (_written.TryAdd(key, 0))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300), token);
            }

            await inner.SetAsync(key, value, options, token);
        }
    }
}
