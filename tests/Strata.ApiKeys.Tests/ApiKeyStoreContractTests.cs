namespace Strata.ApiKeys.Tests;

/// <summary>
/// The contract every <see cref="IApiKeyStore"/> passes. Derive once per store; read-only stores (configuration)
/// are seeded through <see cref="CreateStoreAsync"/> and must refuse writes with <see cref="NotSupportedException"/>.
/// </summary>
public abstract class ApiKeyStoreContractTests
{
    protected static readonly DateTimeOffset T0 = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Whether the store accepts <c>CreateAsync</c> and <c>UpdateAsync</c>.</summary>
    protected virtual bool SupportsWrites => true;

    /// <summary>Creates a store holding exactly <paramref name="seed"/>.</summary>
    protected abstract Task<IApiKeyStore> CreateStoreAsync(IReadOnlyList<StoredApiKey> seed);

    /// <summary>
    /// A second node's view of the same keys (for a database store: another service provider with its own
    /// DbContexts on the same database). In-process stores have one view: the same instance.
    /// </summary>
    protected virtual Task<IApiKeyStore> OpenSecondNodeAsync(IApiKeyStore first) => Task.FromResult(first);

    [Fact]
    public async Task A_new_key_is_at_version_1_and_each_update_adds_one()
    {
        var key = NewKey();
        var store = await CreateStoreAsync([key]);
        if (!SupportsWrites)
        {
            (await store.FindByIdAsync(key.Record.Id))!.Version.Should().Be(0, "a read-only store has no versions");
            return;
        }

        var created = (await store.FindByIdAsync(key.Record.Id))!;
        created.Version.Should().Be(1);

        (await store.UpdateAsync(created.Record with { Name = "one" }, created.Version)).Should().BeTrue();
        (await store.UpdateAsync(created.Record with { Name = "two" })).Should().BeTrue("no expected version: last writer wins");

        var found = (await store.FindByHashAsync(key.Hash))!;
        found.Version.Should().Be(3);
        found.Record.Name.Should().Be("two");
    }

    [Fact]
    public async Task Update_from_a_version_another_node_changed_since_throws_and_writes_nothing()
    {
        var key = NewKey();
        var store = await CreateStoreAsync([key]);
        if (!SupportsWrites)
        {
            await FluentActions.Awaiting(() => store.UpdateAsync(key.Record, expectedVersion: 0)).Should().ThrowAsync<NotSupportedException>();
            return;
        }

        var nodeB = await OpenSecondNodeAsync(store);
        var readByA = (await store.FindByIdAsync(key.Record.Id))!;
        var readByB = (await nodeB.FindByIdAsync(key.Record.Id))!;
        (await nodeB.UpdateAsync(readByB.Record with { IsDisabled = true }, readByB.Version)).Should().BeTrue();

        var stale = () => store.UpdateAsync(readByA.Record with { Name = "renamed by A" }, readByA.Version);

        var conflict = (await stale.Should().ThrowAsync<ApiKeyConcurrencyException>()).WithMessage($"*{key.Record.Id}*").Which;
        conflict.KeyId.Should().Be(key.Record.Id);
        conflict.ExpectedVersion.Should().Be(readByA.Version);
        var found = (await store.FindByIdAsync(key.Record.Id))!;
        found.Record.IsDisabled.Should().BeTrue("node B's change stands");
        found.Record.Name.Should().Be(key.Record.Name, "node A's stale write was not applied");
        found.Version.Should().Be(readByA.Version + 1);
    }

    [Fact]
    public async Task Recording_last_used_times_leaves_the_version_alone()
    {
        var key = NewKey();
        var store = await CreateStoreAsync([key]);
        var before = (await store.FindByIdAsync(key.Record.Id))!;

        await store.RecordLastUsedAsync(new Dictionary<string, DateTimeOffset> { [key.Record.Id] = T0.AddMinutes(5) });

        var after = (await store.FindByIdAsync(key.Record.Id))!;
        after.Record.LastUsedAt.Should().Be(T0.AddMinutes(5));
        after.Version.Should().Be(before.Version, "a last-used time is not an edit: it must not make admin changes conflict");
        if (SupportsWrites)
        {
            (await store.UpdateAsync(before.Record with { IsDisabled = true }, before.Version)).Should().BeTrue();
        }
    }

    protected static StoredApiKey NewKey(string owner = "owner", DateTimeOffset? createdAt = null, string? id = null) => new()
    {
        Hash = ApiKeyFormat.ComputeHash(ApiKeyFormat.Generate("sk_test")),
        Record = new ApiKeyRecord
        {
            Id = id ?? "key_" + Guid.NewGuid().ToString("N")[..16],
            Owner = owner,
            Name = "name of " + owner,
            Prefix = "sk_test",
            Scopes = ["jobs:write", "analyze"],
            Metadata = new Dictionary<string, string> { ["team"] = "core", ["ticket"] = "OPS-7" },
            AllowedNetworks = ["10.0.0.0/8", "2001:db8::/32"],
            CreatedAt = createdAt ?? T0,
            ExpiresAt = T0.AddDays(30),
        },
    };

    [Fact]
    public async Task Finds_a_key_by_hash_with_every_field()
    {
        var key = NewKey();
        var store = await CreateStoreAsync([key, NewKey()]);

        var found = await store.FindByHashAsync(key.Hash);

        found.Should().NotBeNull();
        found!.Hash.Should().Be(key.Hash);
        found.Record.Should().BeEquivalentTo(key.Record);
    }

    [Fact]
    public async Task Unknown_hash_is_not_found()
    {
        var store = await CreateStoreAsync([NewKey()]);

        (await store.FindByHashAsync(ApiKeyFormat.ComputeHash(ApiKeyFormat.Generate("sk_test")))).Should().BeNull();
    }

    [Fact]
    public async Task Lookup_by_hash_is_exact()
    {
        var key = NewKey();
        var store = await CreateStoreAsync([key]);

        (await store.FindByHashAsync(key.Hash[..^1])).Should().BeNull();
        (await store.FindByHashAsync(key.Hash.ToUpperInvariant())).Should().Match<StoredApiKey?>(k => k == null || k.Hash == key.Hash, "a case-insensitive store may match, but only the same key");
    }

    [Fact]
    public async Task Finds_a_key_by_id()
    {
        var key = NewKey();
        var store = await CreateStoreAsync([NewKey(), key]);

        (await store.FindByIdAsync(key.Record.Id))!.Record.Should().BeEquivalentTo(key.Record);
        (await store.FindByIdAsync("key_missing")).Should().BeNull();
    }

    [Fact]
    public async Task Lists_keys_by_owner_oldest_first()
    {
        var old = NewKey("a", T0);
        var young = NewKey("a", T0.AddMinutes(1));
        var other = NewKey("b", T0.AddMinutes(2));
        var store = await CreateStoreAsync([young, other, old]);

        (await ListAllAsync(store, "a")).Select(k => k.Record.Id).Should().Equal(old.Record.Id, young.Record.Id);
        (await ListAllAsync(store)).Select(k => k.Record.Id).Should().Equal(old.Record.Id, young.Record.Id, other.Record.Id);
        (await ListAllAsync(store, "nobody")).Should().BeEmpty();
    }

    [Fact]
    public async Task Keys_with_no_optional_fields_round_trip()
    {
        var bare = new StoredApiKey
        {
            Hash = ApiKeyFormat.ComputeHash(ApiKeyFormat.Generate("sk")),
            Record = new ApiKeyRecord { Id = "key_bare", Owner = "o", CreatedAt = T0 },
        };
        var store = await CreateStoreAsync([bare]);

        var found = (await store.FindByHashAsync(bare.Hash))!;

        found.Record.Should().BeEquivalentTo(bare.Record);
    }

    [Fact]
    public async Task Creates_a_key_or_refuses_when_read_only()
    {
        var store = await CreateStoreAsync([]);
        var key = NewKey();

        var create = () => store.CreateAsync(key);

        if (!SupportsWrites)
        {
            await create.Should().ThrowAsync<NotSupportedException>();
            return;
        }

        await create();
        (await store.FindByHashAsync(key.Hash))!.Record.Should().BeEquivalentTo(key.Record);
    }

    [Fact]
    public async Task Refuses_a_second_key_with_the_same_id_or_hash()
    {
        var key = NewKey();
        var store = await CreateStoreAsync([key]);
        var sameId = NewKey(id: key.Record.Id);
        var sameHash = new StoredApiKey { Hash = key.Hash, Record = NewKey().Record };

        var createSameId = () => store.CreateAsync(sameId);
        var createSameHash = () => store.CreateAsync(sameHash);

        if (!SupportsWrites)
        {
            await createSameId.Should().ThrowAsync<NotSupportedException>();
            return;
        }

        await createSameId.Should().ThrowAsync<InvalidOperationException>();
        await createSameHash.Should().ThrowAsync<InvalidOperationException>();
        (await ListAllAsync(store)).Should().ContainSingle();
    }

    [Fact]
    public async Task Updates_a_record_and_keeps_the_hash()
    {
        var key = NewKey();
        var store = await CreateStoreAsync([key]);
        var changed = key.Record with { IsDisabled = true, RevokedAt = T0.AddHours(1), ExpiresAt = null, ReplacedById = "key_next", Scopes = ["only"] };

        var update = () => store.UpdateAsync(changed);

        if (!SupportsWrites)
        {
            await update.Should().ThrowAsync<NotSupportedException>();
            return;
        }

        (await update()).Should().BeTrue();
        var found = (await store.FindByHashAsync(key.Hash))!;
        found.Record.Should().BeEquivalentTo(changed);
        (await store.UpdateAsync(NewKey().Record)).Should().BeFalse("the key does not exist");
    }

    [Fact]
    public async Task Update_from_a_record_read_before_a_revocation_does_not_bring_the_key_back()
    {
        var key = NewKey();
        var store = await CreateStoreAsync([key]);
        if (!SupportsWrites)
        {
            await FluentActions.Awaiting(() => store.UpdateAsync(key.Record with { RevokedAt = T0 })).Should().ThrowAsync<NotSupportedException>();
            return;
        }

        var stale = (await store.FindByIdAsync(key.Record.Id))!.Record;       // an admin call reads the key...
        await store.UpdateAsync(stale with { RevokedAt = T0.AddHours(1) });    // ...another revokes it...

        (await store.UpdateAsync(stale with { IsDisabled = false, Name = "renamed" })).Should().BeTrue(); // ...the first writes its stale copy

        var found = (await store.FindByHashAsync(key.Hash))!.Record;
        found.RevokedAt.Should().Be(T0.AddHours(1), "a revocation is permanent");
        found.Name.Should().Be("renamed", "the rest of the update still applies");
    }

    [Fact]
    public async Task Update_does_not_move_the_last_used_time_back()
    {
        var key = NewKey();
        var store = await CreateStoreAsync([key]);
        if (!SupportsWrites)
        {
            await FluentActions.Awaiting(() => store.UpdateAsync(key.Record with { RevokedAt = T0 })).Should().ThrowAsync<NotSupportedException>();
            return;
        }

        var stale = (await store.FindByIdAsync(key.Record.Id))!.Record;
        await store.RecordLastUsedAsync(new Dictionary<string, DateTimeOffset> { [key.Record.Id] = T0.AddMinutes(5) });

        await store.UpdateAsync(stale with { IsDisabled = true });

        var found = (await store.FindByIdAsync(key.Record.Id))!.Record;
        found.LastUsedAt.Should().Be(T0.AddMinutes(5));
        found.IsDisabled.Should().BeTrue();
    }

    [Fact]
    public async Task Records_last_used_times_keeping_the_newest_and_ignoring_unknown_ids()
    {
        var key = NewKey();
        var store = await CreateStoreAsync([key]);

        await store.RecordLastUsedAsync(new Dictionary<string, DateTimeOffset> { [key.Record.Id] = T0.AddMinutes(5), ["key_missing"] = T0 });
        await store.RecordLastUsedAsync(new Dictionary<string, DateTimeOffset> { [key.Record.Id] = T0.AddMinutes(1) });

        (await store.FindByIdAsync(key.Record.Id))!.Record.LastUsedAt.Should().Be(T0.AddMinutes(5));
        (await store.FindByIdAsync("key_missing")).Should().BeNull();
    }

    [Fact]
    public async Task Concurrent_lookups_and_last_used_writes_are_safe()
    {
        var keys = Enumerable.Range(0, 20).Select(i => NewKey("o", T0.AddSeconds(i))).ToList();
        var store = await CreateStoreAsync(keys);

        var work = keys.Select(async (k, i) =>
        {
            (await store.FindByHashAsync(k.Hash))!.Record.Id.Should().Be(k.Record.Id);
            await store.RecordLastUsedAsync(new Dictionary<string, DateTimeOffset> { [k.Record.Id] = T0.AddMinutes(i) });
        });
        await Task.WhenAll(work);

        foreach (var (k, i) in keys.Select((k, i) => (k, i)))
        {
            (await store.FindByIdAsync(k.Record.Id))!.Record.LastUsedAt.Should().Be(T0.AddMinutes(i));
        }
    }

    [Fact]
    public async Task Pages_through_one_owner_s_keys_created_in_the_same_tick_without_skipping_or_repeating_one()
    {
        // Seven keys of owner "a" in one tick (one given with another offset: the same instant), one a minute earlier,
        // and keys of owner "b" in between: the order is the creation instant, then the id.
        var sameTick = Enumerable.Range(0, 7).Select(i => NewKey("a", i == 3 ? T0.ToOffset(TimeSpan.FromHours(2)) : T0, id: $"key_t{(i * 5) % 7}")).ToList();
        var earlier = NewKey("a", T0.AddMinutes(-1), id: "key_z");
        var others = Enumerable.Range(0, 3).Select(i => NewKey("b", T0, id: $"key_t{i}b")).ToList();
        var store = await CreateStoreAsync([.. sameTick, .. others, earlier]);

        var pages = new List<IReadOnlyList<StoredApiKey>>();
        ApiKeyRecord? last = null;
        do
        {
            var page = await store.ListAsync(new ApiKeyStoreQuery { Owner = "a", AfterCreatedAt = last?.CreatedAt, AfterId = last?.Id, Limit = 3 });
            pages.Add(page);
            last = page.Count == 0 ? null : page[^1].Record;
        }
        while (last is not null && pages.Count < 10);

        pages.Select(p => p.Count).Should().Equal(3, 3, 2, 0);
        pages.SelectMany(p => p).Select(k => k.Record.Id).Should().Equal("key_z", "key_t0", "key_t1", "key_t2", "key_t3", "key_t4", "key_t5", "key_t6");
        (await store.ListAsync(new ApiKeyStoreQuery { Limit = 100 })).Should().HaveCount(11, "no owner: every key");
    }

    [Fact]
    public async Task Deletes_a_key_so_neither_its_id_nor_its_hash_finds_it()
    {
        var key = NewKey();
        var kept = NewKey();
        var store = await CreateStoreAsync([key, kept]);

        var delete = () => store.DeleteAsync(key.Record.Id);

        if (!SupportsWrites)
        {
            await delete.Should().ThrowAsync<NotSupportedException>().WithMessage("*read-only*");
            return;
        }

        (await delete()).Should().BeTrue();
        (await store.FindByIdAsync(key.Record.Id)).Should().BeNull();
        (await store.FindByHashAsync(key.Hash)).Should().BeNull();
        (await ListAllAsync(store)).Select(k => k.Record.Id).Should().Equal(kept.Record.Id);
        (await store.DeleteAsync(key.Record.Id)).Should().BeFalse("it is gone");
        (await store.DeleteAsync("key_missing")).Should().BeFalse();
        await store.CreateAsync(new StoredApiKey { Hash = key.Hash, Record = key.Record with { Id = "key_again" } });
        (await store.FindByHashAsync(key.Hash))!.Record.Id.Should().Be("key_again", "the hash was released with the row");
    }

    protected static Task<IReadOnlyList<StoredApiKey>> ListAllAsync(IApiKeyStore store, string? owner = null)
        => store.ListAsync(new ApiKeyStoreQuery { Owner = owner, Limit = 1000 });
}
