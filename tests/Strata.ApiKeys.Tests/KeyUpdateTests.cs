using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

/// <summary><see cref="IApiKeyManager.UpdateAsync"/>: a key changes in place, and requests with it see the change.</summary>
public sealed class KeyUpdateTests
{
    [Fact]
    public async Task Request_right_after_a_scope_update_on_the_same_host_gets_the_new_scopes()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync("analyze");
        (await app.GetAsync("/policy", created.Key)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "the key lacks jobs:write (and is now cached)");

        var updated = await app.Manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate { Scopes = ["analyze", "jobs:write"] });

        updated!.Scopes.Should().Equal("analyze", "jobs:write");
        (await app.GetAsync("/policy", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK, "the same key, no new key issued");

        await app.Manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate { Scopes = [] });
        (await app.GetAsync("/policy", created.Key)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "taking a scope away is in force at once too");
    }

    [Fact]
    public async Task Metadata_update_is_seen_in_the_api_key_feature_of_the_next_request()
    {
        await using var app = await TestApp.StartAsync(endpoints: a => a.MapGet("/plan", (HttpContext context) =>
            context.Features.Get<IApiKeyFeature>()!.Record.Metadata.GetValueOrDefault("plan") ?? "none").RequireAuthorization());
        var created = await app.Manager.CreateAsync(new ApiKeyCreateRequest
        {
            Owner = "customer-9",
            Metadata = new Dictionary<string, string> { ["plan"] = "free", ["region"] = "eu" },
        });
        (await (await app.GetAsync("/plan", created.Key)).Content.ReadAsStringAsync()).Should().Be("free");

        await app.Manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate { Metadata = new Dictionary<string, string> { ["plan"] = "pro", ["region"] = "eu" } });

        (await (await app.GetAsync("/plan", created.Key)).Content.ReadAsStringAsync()).Should().Be("pro");
        var record = (await app.Manager.GetAsync(created.Record.Id))!;
        record.Metadata.Should().Equal(new Dictionary<string, string> { ["plan"] = "pro", ["region"] = "eu" });
        (await app.Store.Inner.FindByIdAsync(created.Record.Id))!.Hash.Should().Be(ApiKeyFormat.ComputeHash(created.Key), "the secret and its hash never change");
    }

    [Fact]
    public async Task Update_changes_only_the_fields_it_sets_and_an_empty_name_clears_the_name()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Manager.CreateAsync(new ApiKeyCreateRequest
        {
            Owner = "o",
            Name = "export",
            Scopes = ["a"],
            Metadata = new Dictionary<string, string> { ["plan"] = "free" },
            AllowedNetworks = ["10.0.0.0/8"],
            ExpiresAt = app.Time.GetUtcNow().AddDays(1),
        });

        var renamed = (await app.Manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate { Name = "nightly export" }))!;
        renamed.Should().BeEquivalentTo(created.Record with { Name = "nightly export" });

        var networks = (await app.Manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate { AllowedNetworks = ["192.168.0.0/16"], Name = "" }))!;
        networks.Should().BeEquivalentTo(created.Record with { Name = null, AllowedNetworks = ["192.168.0.0/16"] });
        (await app.Manager.GetAsync(created.Record.Id)).Should().BeEquivalentTo(networks);
    }

    [Fact]
    public async Task Narrowed_allow_list_refuses_the_next_request_from_an_address_outside_it()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        (await app.GetAsync("/me", created.Key, clientAddress: "10.1.2.3")).StatusCode.Should().Be(HttpStatusCode.OK);

        await app.Manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate { AllowedNetworks = ["192.168.0.0/16"] });

        (await app.GetAsync("/me", created.Key, clientAddress: "10.1.2.3")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.GetAsync("/me", created.Key, clientAddress: "192.168.7.7")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Another_node_sees_the_update_once_its_cached_lookup_is_older_than_the_cache_duration()
    {
        var shared = new InMemoryApiKeyStore();
        await using var nodeA = await TestApp.StartAsync(sharedInner: shared);
        await using var nodeB = await TestApp.StartAsync(sharedInner: shared);
        var created = await nodeA.CreateKeyAsync("analyze");
        (await nodeB.GetAsync("/policy", created.Key)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        await nodeA.Manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate { Scopes = ["jobs:write"] });

        (await nodeA.GetAsync("/policy", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK, "the node that made the change dropped its cache");
        (await nodeB.GetAsync("/policy", created.Key)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "node B's cached lookup is not told (no shared distributed cache here)");
        nodeB.Time.Advance(TimeSpan.FromSeconds(30));
        (await nodeB.GetAsync("/policy", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK, "within CacheDuration (30 s by default)");
    }

    [Fact]
    public async Task Updating_a_revoked_key_does_not_bring_it_back_and_a_missing_key_gives_null()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        await app.Manager.RevokeAsync(created.Record.Id);

        var updated = await app.Manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate { Scopes = ["jobs:write"] });

        updated!.RevokedAt.Should().NotBeNull();
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.Manager.UpdateAsync("key_missing", new ApiKeyUpdate { Name = "x" })).Should().BeNull();
    }

    [Fact]
    public async Task An_update_that_sets_nothing_writes_nothing_and_returns_the_record()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync("analyze");
        var writes = app.Store.WriteCalls;

        var same = await app.Manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate());

        same.Should().BeEquivalentTo(created.Record);
        app.Store.WriteCalls.Should().Be(writes);
        (await app.Store.Inner.FindByIdAsync(created.Record.Id))!.Version.Should().Be(1);
        (await app.Manager.UpdateAsync("key_missing", new ApiKeyUpdate())).Should().BeNull();
    }

    public static TheoryData<ApiKeyUpdate, string> InvalidUpdates => new()
    {
        { new ApiKeyUpdate { Scopes = ["has space"] }, "*Scope 'has space'*" },
        { new ApiKeyUpdate { Scopes = [""] }, "*Scope*" },
        { new ApiKeyUpdate { AllowedNetworks = ["10.0.0.0/33"] }, "*AllowedNetworks*10.0.0.0/33*" },
        { new ApiKeyUpdate { Name = new string('n', 257) }, "*Name*256*" },
        { new ApiKeyUpdate { Metadata = new Dictionary<string, string> { [""] = "x" } }, "*Metadata key*" },
        { new ApiKeyUpdate { Metadata = new Dictionary<string, string> { ["plan"] = new string('v', 1025) } }, "*Metadata value of 'plan'*1024*" },
        { new ApiKeyUpdate { Metadata = Enumerable.Range(0, 65).ToDictionary(i => $"k{i}", i => "v") }, "*65 entries*64*" },
    };

    [Theory]
    [MemberData(nameof(InvalidUpdates))]
    public async Task Invalid_update_throws_an_ArgumentException_naming_the_field_and_writes_nothing(ApiKeyUpdate update, string message)
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync("analyze");
        var writes = app.Store.WriteCalls;

        var change = () => app.Manager.UpdateAsync(created.Record.Id, update);

        await change.Should().ThrowAsync<ArgumentException>().WithMessage(message);
        app.Store.WriteCalls.Should().Be(writes);
        (await app.Manager.GetAsync(created.Record.Id)).Should().BeEquivalentTo(created.Record);
    }

    [Fact]
    public async Task Create_refuses_metadata_over_the_same_limits()
    {
        await using var app = await TestApp.StartAsync();

        var create = () => app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "o", Metadata = new Dictionary<string, string> { ["plan"] = new string('v', 1025) } });

        await create.Should().ThrowAsync<ArgumentException>().WithMessage("*Metadata value of 'plan'*");
        app.Store.WriteCalls.Should().Be(0);
    }

    [Fact]
    public async Task An_update_made_while_another_node_changes_the_key_keeps_both_changes()
    {
        var shared = new InMemoryApiKeyStore();
        await using var app = await TestApp.StartAsync(sharedInner: shared);
        var created = await app.CreateKeyAsync("analyze");
        var once = 0;
        app.Store.AfterFindById = async () =>
        {
            if (Interlocked.Exchange(ref once, 1) == 0)
            {
                // Another node disables the key between this update's read and its write.
                var read = (await shared.FindByIdAsync(created.Record.Id))!;
                await shared.UpdateAsync(read.Record with { IsDisabled = true }, read.Version);
            }
        };

        var updated = await app.Manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate { Scopes = ["jobs:write"] });

        updated!.Scopes.Should().Equal("jobs:write");
        updated.IsDisabled.Should().BeTrue("the other node's change was not overwritten: the update was applied again to the fresh record");
    }
}
