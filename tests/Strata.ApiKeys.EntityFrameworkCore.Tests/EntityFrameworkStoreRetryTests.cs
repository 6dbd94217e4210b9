using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>The store's answers to writes that land between its read and its write, and to rows from an older schema.</summary>
public sealed class EntityFrameworkStoreRetryTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly SqliteDatabase _database = new();
    private readonly SaveHookInterceptor _hook = new();
    private readonly ServiceProvider _provider;
    private readonly IApiKeyStore _store;

    public EntityFrameworkStoreRetryTests()
    {
        var services = new ServiceCollection();
        services.AddDbContext<AppDbContext>(o => o.UseSqlite(_database.ConnectionString).AddInterceptors(_hook));
        services.AddStrataApiKeys().UseEntityFrameworkStore<AppDbContext>();
        _provider = services.BuildServiceProvider();
        _store = _provider.GetRequiredService<IApiKeyStore>();
    }

    [Fact]
    public async Task Delete_that_meets_another_node_s_write_reads_again_and_deletes()
    {
        var key = await CreateAsync("key_a");
        ArmVersionBumps(key.Record.Id, times: 1);

        (await _store.DeleteAsync(key.Record.Id)).Should().BeTrue();

        _hook.Saves.Should().Be(2, "the first delete met the other write and the second, on a fresh read, went through");
        (await _store.FindByIdAsync(key.Record.Id)).Should().BeNull();
    }

    [Fact]
    public async Task Delete_that_keeps_meeting_other_writes_gives_up_after_five_attempts()
    {
        var key = await CreateAsync("key_a");
        ArmVersionBumps(key.Record.Id, times: int.MaxValue);

        await FluentActions.Awaiting(() => _store.DeleteAsync(key.Record.Id)).Should().ThrowAsync<DbUpdateConcurrencyException>();

        _hook.Saves.Should().Be(5);
        _hook.BeforeSave = null;
        (await _store.FindByIdAsync(key.Record.Id)).Should().NotBeNull("no attempt deleted it");
    }

    [Fact]
    public async Task Unconditional_update_that_meets_another_node_s_write_reads_again_and_applies()
    {
        var key = await CreateAsync("key_a");
        ArmVersionBumps(key.Record.Id, times: 1);

        (await _store.UpdateAsync(key.Record with { IsDisabled = true })).Should().BeTrue();

        _hook.Saves.Should().Be(2);
        var stored = (await _store.FindByIdAsync(key.Record.Id))!;
        stored.Record.IsDisabled.Should().BeTrue();
        stored.Version.Should().Be(3, "1 on create, 2 from the other write, 3 from this update");
    }

    [Fact]
    public async Task Unconditional_update_that_keeps_meeting_other_writes_gives_up_after_five_attempts()
    {
        var key = await CreateAsync("key_a");
        ArmVersionBumps(key.Record.Id, times: int.MaxValue);

        await FluentActions.Awaiting(() => _store.UpdateAsync(key.Record with { IsDisabled = true })).Should().ThrowAsync<DbUpdateConcurrencyException>();

        _hook.Saves.Should().Be(5);
        _hook.BeforeSave = null;
        (await _store.FindByIdAsync(key.Record.Id))!.Record.IsDisabled.Should().BeFalse();
    }

    [Fact]
    public async Task Versioned_update_that_meets_another_write_after_its_read_throws_a_concurrency_exception_at_once()
    {
        var key = await CreateAsync("key_a");
        ArmVersionBumps(key.Record.Id, times: int.MaxValue);

        var thrown = (await FluentActions.Awaiting(() => _store.UpdateAsync(key.Record with { IsDisabled = true }, expectedVersion: 1))
            .Should().ThrowAsync<ApiKeyConcurrencyException>()).Which;

        thrown.InnerException.Should().BeOfType<DbUpdateConcurrencyException>("the conflict was met on the write, not on the read");
        _hook.Saves.Should().Be(1);
    }

    [Fact]
    public async Task Last_used_write_that_meets_an_admin_update_reads_again_and_records()
    {
        var key = await CreateAsync("key_a");
        ArmVersionBumps(key.Record.Id, times: 1);

        await _store.RecordLastUsedAsync(new Dictionary<string, DateTimeOffset> { [key.Record.Id] = T0.AddHours(1) });

        _hook.Saves.Should().Be(2);
        (await _store.FindByIdAsync(key.Record.Id))!.Record.LastUsedAt.Should().Be(T0.AddHours(1));
    }

    [Fact]
    public async Task Last_used_write_that_keeps_meeting_admin_updates_gives_up_after_five_attempts()
    {
        var key = await CreateAsync("key_a");
        ArmVersionBumps(key.Record.Id, times: int.MaxValue);

        await FluentActions.Awaiting(() => _store.RecordLastUsedAsync(new Dictionary<string, DateTimeOffset> { [key.Record.Id] = T0.AddHours(1) }))
            .Should().ThrowAsync<DbUpdateConcurrencyException>();

        _hook.Saves.Should().Be(5);
    }

    [Fact]
    public async Task Recording_an_empty_set_of_last_used_times_writes_nothing()
    {
        await CreateAsync("key_a");
        _hook.Reset();

        await _store.RecordLastUsedAsync(new Dictionary<string, DateTimeOffset>());

        _hook.Saves.Should().Be(0);
    }

    [Fact]
    public async Task Duplicate_key_is_refused_before_any_insert_is_tried()
    {
        var key = await CreateAsync("key_a");
        _hook.Reset();

        var sameHash = new StoredApiKey { Hash = key.Hash, Record = NewKey("key_b").Record };
        (await FluentActions.Awaiting(() => _store.CreateAsync(sameHash)).Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("An API key with id 'key_b' or the same hash already exists.");
        (await FluentActions.Awaiting(() => _store.CreateAsync(NewKey("key_a"))).Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("*'key_a'*already exists*");

        _hook.Saves.Should().Be(0);
    }

    [Fact]
    public async Task Key_whose_hash_another_node_inserts_first_is_refused_with_a_clear_message()
    {
        var key = NewKey("key_b");
        _hook.BeforeSave = async _ =>
        {
            _hook.BeforeSave = null;
            await using var other = _database.CreateContext();
            other.Add(new ApiKeyEntity { Id = "key_other", Hash = key.Hash, Owner = "other", Prefix = "sk_test", Version = 1 });
            await other.SaveChangesAsync();
        };

        var thrown = (await FluentActions.Awaiting(() => _store.CreateAsync(key)).Should().ThrowAsync<InvalidOperationException>()).Which;

        thrown.Message.Should().Be("An API key with id 'key_b' or the same hash already exists.");
        thrown.InnerException.Should().BeAssignableTo<DbUpdateException>();
        (await _store.FindByIdAsync("key_b")).Should().BeNull();
    }

    [Fact]
    public async Task Rows_from_before_the_order_column_are_filled_in_and_listed_in_creation_order()
    {
        // More rows than one fill batch (500), ids in the opposite order to their creation times.
        const int Count = 510;
        await using (var db = _database.CreateContext())
        {
            for (var i = 0; i < Count; i++)
            {
                db.Add(new ApiKeyEntity
                {
                    Id = $"K{i:D4}",
                    Hash = $"{i:D64}",
                    Owner = "legacy",
                    Prefix = "sk_test",
                    CreatedAt = T0.AddMinutes(Count - i),
                    CreatedAtUtcTicks = 0,
                    Version = 1,
                });
            }

            await db.SaveChangesAsync();
        }

        var listed = await _store.ListAsync(new ApiKeyStoreQuery { Limit = 1000 });

        listed.Select(k => k.Record.Id).Should().Equal(Enumerable.Range(0, Count).Reverse().Select(i => $"K{i:D4}"));
        await using var check = _database.CreateContext();
        (await check.Set<ApiKeyEntity>().CountAsync(e => e.CreatedAtUtcTicks == 0)).Should().Be(0);
        (await check.Set<ApiKeyEntity>().SingleAsync(e => e.Id == "K0000")).CreatedAtUtcTicks.Should().Be(T0.AddMinutes(Count).UtcTicks);
    }

    [Fact]
    public async Task Update_keeps_the_first_revocation_time_and_the_newest_last_used_time()
    {
        var key = await CreateAsync("key_a");
        await _store.UpdateAsync(key.Record with { RevokedAt = T0.AddHours(1), LastUsedAt = T0.AddHours(2) });

        await _store.UpdateAsync(key.Record with { RevokedAt = T0.AddHours(3), LastUsedAt = T0.AddHours(1) });
        var afterOlder = (await _store.FindByIdAsync("key_a"))!.Record;
        await _store.UpdateAsync(key.Record with { LastUsedAt = T0.AddHours(4) });
        var afterNewer = (await _store.FindByIdAsync("key_a"))!.Record;

        afterOlder.RevokedAt.Should().Be(T0.AddHours(1), "a revocation is never moved");
        afterOlder.LastUsedAt.Should().Be(T0.AddHours(2), "the last-used time never moves back");
        afterNewer.LastUsedAt.Should().Be(T0.AddHours(4));
        afterNewer.RevokedAt.Should().Be(T0.AddHours(1));
    }

    [Fact]
    public async Task Metadata_column_holding_json_null_reads_as_no_metadata()
    {
        await CreateAsync("key_a");
        await using (var db = _database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE StrataApiKeys SET Metadata = 'null'");
        }

        var found = await _store.FindByIdAsync("key_a");

        found!.Record.Metadata.Should().NotBeNull().And.BeEmpty();
    }

    public void Dispose()
    {
        _provider.Dispose();
        _database.Dispose();
    }

    private static StoredApiKey NewKey(string id) => new()
    {
        Hash = ApiKeyFormat.ComputeHash(ApiKeyFormat.Generate("sk_test")),
        Record = new ApiKeyRecord { Id = id, Owner = "owner", Prefix = "sk_test", Scopes = ["jobs:write"], CreatedAt = T0 },
    };

    private async Task<StoredApiKey> CreateAsync(string id)
    {
        var key = NewKey(id);
        await _store.CreateAsync(key);
        return key;
    }

    /// <summary>Before each of the next <paramref name="times"/> saves, another writer moves the row's version on.</summary>
    private void ArmVersionBumps(string id, int times)
    {
        _hook.Reset();
        _hook.BeforeSave = async save =>
        {
            if (save <= times)
            {
                await using var other = _database.CreateContext();
                await other.Database.ExecuteSqlAsync($"UPDATE StrataApiKeys SET Version = Version + 1 WHERE Id = {id}");
            }
        };
    }
}
