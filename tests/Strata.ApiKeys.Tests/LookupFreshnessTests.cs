using System.Net;
using Microsoft.Extensions.Time.Testing;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

/// <summary>
/// A cached lookup is never used once CacheDuration has passed, however long after: on the normal path and on the
/// cached-only path of a blocked address (found by the Stryker run over ApiKeyLookup, docs/testing.md).
/// </summary>
public sealed class LookupFreshnessTests
{
    private const string Client = "203.0.113.61";

    [Theory]
    [InlineData(30)]
    [InlineData(31)]
    [InlineData(600)]
    public async Task Revocation_on_another_node_is_seen_at_any_time_after_CacheDuration(int seconds)
    {
        var (shared, time) = (new InMemoryApiKeyStore(), NewTime());
        await using var nodeA = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.FromSeconds(30), time: time, sharedInner: shared);
        await using var nodeB = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.FromSeconds(30), time: time, sharedInner: shared);
        var created = await nodeA.CreateKeyAsync();
        (await nodeB.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        await nodeA.Manager.RevokeAsync(created.Record.Id);
        time.Advance(TimeSpan.FromSeconds(29));
        (await nodeB.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK, "node B's copy is still fresh");

        time.Advance(TimeSpan.FromSeconds(seconds - 29));

        (await nodeB.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, $"node B's copy is {seconds} s old");
    }

    [Fact]
    public async Task Blocked_address_gets_a_cached_record_only_while_it_is_fresh()
    {
        var (shared, time) = (new InMemoryApiKeyStore(), NewTime());
        await using var nodeA = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.FromSeconds(30), time: time, sharedInner: shared);
        await using var nodeB = await TestApp.StartAsync(
            keys: o =>
            {
                o.CacheDuration = TimeSpan.FromSeconds(30);
                o.NegativeCacheDuration = TimeSpan.FromSeconds(5);
                o.BruteForce.PermitFailures = 2;
                o.BruteForce.Window = TimeSpan.FromMinutes(5);
            },
            time: time,
            sharedInner: shared);
        var created = await nodeA.CreateKeyAsync();
        (await nodeB.GetAsync("/me", created.Key, Client)).StatusCode.Should().Be(HttpStatusCode.OK);
        await nodeA.Manager.RevokeAsync(created.Record.Id);
        await nodeB.GetAsync("/me", "sk_test_guess1", Client);
        await nodeB.GetAsync("/me", "sk_test_guess2", Client);
        (await nodeB.GetAsync("/me", "sk_test_guess3", Client)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the address is blocked");

        // Ten seconds on: older than NegativeCacheDuration, younger than CacheDuration. The record is still fresh.
        time.Advance(TimeSpan.FromSeconds(10));
        var lookups = nodeB.Store.FindByHashCalls;
        (await nodeB.GetAsync("/me", created.Key, Client)).StatusCode.Should().Be(HttpStatusCode.OK, "node B's copy is fresh");
        nodeB.Store.FindByHashCalls.Should().Be(lookups, "a fresh cached record needs no store lookup");

        // Exactly CacheDuration after it was loaded: stale, so the blocked address's lookup goes to the store.
        time.Advance(TimeSpan.FromSeconds(20));
        (await nodeB.GetAsync("/me", created.Key, Client)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the stale copy is not used");
        nodeB.Store.FindByHashCalls.Should().Be(lookups + 1);
    }

    [Fact]
    public async Task Blocked_address_unknown_key_goes_to_the_store_once_its_negative_entry_is_stale()
    {
        await using var app = await TestApp.StartAsync(
            keys: o =>
            {
                o.CacheDuration = TimeSpan.FromSeconds(30);
                o.NegativeCacheDuration = TimeSpan.FromSeconds(5);
                o.BruteForce.PermitFailures = 2;
                o.BruteForce.Window = TimeSpan.FromMinutes(5);
            },
            time: NewTime());
        var guess = ApiKeyFormat.Generate("sk_test");
        (await app.GetAsync("/me", guess, Client)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.GetAsync("/me", guess, Client)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the second failure blocks the address");
        (await app.GetAsync("/me", guess, Client)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        app.Store.FindByHashCalls.Should().Be(1, "the negative entry is fresh: the blocked address's guess is refused from the cache");

        // Ten seconds on: older than NegativeCacheDuration (though younger than CacheDuration), so the store is asked.
        app.Time.Advance(TimeSpan.FromSeconds(10));
        (await app.GetAsync("/me", guess, Client)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        app.Store.FindByHashCalls.Should().Be(2, "a stale negative entry is looked up again, even for a blocked address");
    }

    private static FakeTimeProvider NewTime() => new(new DateTimeOffset(2026, 12, 8, 1, 0, 0, TimeSpan.Zero));
}
