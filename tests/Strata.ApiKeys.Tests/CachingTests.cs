using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

public sealed class CachingTests
{
    [Fact]
    public async Task Validated_lookup_is_cached_until_CacheDuration_passes()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.FromSeconds(30));
        var created = await app.CreateKeyAsync();

        for (var i = 0; i < 5; i++)
        {
            (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        app.Store.FindByHashCalls.Should().Be(1);
        app.Time.Advance(TimeSpan.FromSeconds(30));
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        app.Store.FindByHashCalls.Should().Be(2);
    }

    [Fact]
    public async Task Unknown_key_is_remembered_for_NegativeCacheDuration_only()
    {
        await using var app = await TestApp.StartAsync(keys: o =>
        {
            o.NegativeCacheDuration = TimeSpan.FromSeconds(5);
            o.BruteForce.Enabled = false;
        });
        var unknown = ApiKeyFormat.Generate("sk_test");

        await app.GetAsync("/me", unknown);
        await app.GetAsync("/me", unknown);
        app.Store.FindByHashCalls.Should().Be(1);

        app.Time.Advance(TimeSpan.FromSeconds(5));
        await app.GetAsync("/me", unknown);
        app.Store.FindByHashCalls.Should().Be(2);
    }

    [Fact]
    public async Task Zero_CacheDuration_asks_the_store_every_time()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.Zero);
        var created = await app.CreateKeyAsync();

        for (var i = 0; i < 3; i++)
        {
            await app.GetAsync("/me", created.Key);
        }

        app.Store.FindByHashCalls.Should().Be(3);
    }

    [Fact]
    public async Task Revoke_invalidates_the_cached_lookup_on_the_same_node_at_once()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.FromHours(1));
        var created = await app.CreateKeyAsync();
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);

        await app.Manager.RevokeAsync(created.Record.Id);

        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        app.Store.FindByHashCalls.Should().Be(2);
    }

    [Fact]
    public async Task Key_created_after_a_negative_lookup_works_at_once()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.NegativeCacheDuration = TimeSpan.FromMinutes(1));
        var created = await app.CreateKeyAsync();
        await app.Store.Inner.UpdateAsync(created.Record with { IsDisabled = true });

        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await app.Manager.EnableAsync(created.Record.Id);
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Revocation_reaches_another_node_within_CacheDuration()
    {
        // Two hosts share one store but not a distributed cache: the documented worst case.
        var shared = new InMemoryApiKeyStore();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var nodeA = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.FromSeconds(30), time: time, sharedInner: shared);
        await using var nodeB = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.FromSeconds(30), time: time, sharedInner: shared);
        var created = await nodeA.CreateKeyAsync();
        (await nodeB.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);

        await nodeA.Manager.RevokeAsync(created.Record.Id);

        (await nodeA.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await nodeB.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK, "node B still holds its cached copy");
        time.Advance(TimeSpan.FromSeconds(30));
        (await nodeB.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_cause_one_store_lookup()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => app.GetAsync("/me", created.Key)));

        responses.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        app.Store.FindByHashCalls.Should().Be(1, "HybridCache lets one caller load while the others wait for it");
    }

    [Fact]
    public async Task Cached_record_is_reused_without_copying()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        var lookup = app.App.Services.GetRequiredService<ApiKeyLookup>();
        var first = await lookup.FindAsync(created.Key, CancellationToken.None);
        var second = await lookup.FindAsync(created.Key, CancellationToken.None);

        first.Should().NotBeNull();
        second.Should().BeSameAs(first);
    }

    [Fact]
    public async Task Only_keys_that_validated_enter_the_local_front_and_revoke_drops_them()
    {
        await using var app = await TestApp.StartAsync(keys: o =>
        {
            o.CacheDuration = TimeSpan.FromHours(1);
            o.BruteForce.Enabled = false;
        });
        var lookup = app.App.Services.GetRequiredService<ApiKeyLookup>();
        var created = await app.CreateKeyAsync();

        for (var i = 0; i < 50; i++)
        {
            (await lookup.FindAsync(ApiKeyFormat.Generate("sk_test"), CancellationToken.None)).Should().BeNull();
        }

        lookup.LocalEntryCount.Should().Be(0, "unknown keys must never grow the table");

        (await lookup.FindAsync(created.Key, CancellationToken.None)).Should().NotBeNull();
        (await lookup.FindAsync(created.Key, CancellationToken.None)).Should().NotBeNull();
        lookup.LocalEntryCount.Should().Be(1);

        await app.Manager.RevokeAsync(created.Record.Id);

        lookup.LocalEntryCount.Should().Be(0);
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        app.Store.FindByHashCalls.Should().Be(52);
    }
}
