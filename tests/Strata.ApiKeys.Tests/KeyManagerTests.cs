using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

public sealed class KeyManagerTests
{
    [Fact]
    public async Task Create_returns_the_plaintext_once_and_stores_only_its_hash()
    {
        await using var app = await TestApp.StartAsync();

        var created = await app.Manager.CreateAsync(new ApiKeyCreateRequest
        {
            Owner = "team-a",
            Name = "export",
            Scopes = ["jobs:write", "jobs:write", "analyze"],
            Metadata = new Dictionary<string, string> { ["ticket"] = "OPS-1" },
        });

        ApiKeyFormat.IsWellFormed(created.Key, "sk_test").Should().BeTrue("the default scheme's prefix is used");
        created.Record.Id.Should().StartWith("key_");
        created.Record.Owner.Should().Be("team-a");
        created.Record.Scopes.Should().Equal("jobs:write", "analyze");
        created.Record.Metadata.Should().Contain("ticket", "OPS-1");
        created.Record.CreatedAt.Should().Be(app.Time.GetUtcNow());
        created.ToString().Should().NotContain(created.Key);

        var stored = (await app.Store.Inner.FindByIdAsync(created.Record.Id))!;
        stored.Hash.Should().Be(ApiKeyFormat.ComputeHash(created.Key));
        stored.Hash.Should().NotContain(created.Key);
        stored.Record.Should().BeEquivalentTo(created.Record);
    }

    [Fact]
    public async Task Get_and_list_return_records_filtered_by_owner_oldest_first()
    {
        await using var app = await TestApp.StartAsync();
        var first = await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "a" });
        app.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "a" });
        await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "b" });

        (await app.Manager.GetAsync(first.Record.Id))!.Owner.Should().Be("a");
        (await app.Manager.GetAsync("key_missing")).Should().BeNull();
        (await app.Manager.ListAsync("a")).Select(r => r.Id).Should().Equal(first.Record.Id, second.Record.Id);
        (await app.Manager.ListAsync()).Should().HaveCount(3);
    }

    [Fact]
    public async Task Changes_to_a_missing_key_return_false()
    {
        await using var app = await TestApp.StartAsync();

        (await app.Manager.RevokeAsync("key_missing")).Should().BeFalse();
        (await app.Manager.DisableAsync("key_missing")).Should().BeFalse();
        (await app.Manager.EnableAsync("key_missing")).Should().BeFalse();
        (await app.Manager.SetExpiryAsync("key_missing", null)).Should().BeFalse();
        (await app.Manager.RotateAsync("key_missing", TimeSpan.Zero)).Should().BeNull();
    }

    [Fact]
    public async Task Revoke_records_the_time_and_is_permanent()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        var revokedAt = app.Time.GetUtcNow();

        await app.Manager.RevokeAsync(created.Record.Id);
        await app.Manager.EnableAsync(created.Record.Id);

        var record = (await app.Manager.GetAsync(created.Record.Id))!;
        record.RevokedAt.Should().Be(revokedAt);
        record.IsActiveAt(app.Time.GetUtcNow()).Should().BeFalse();
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Expiry_can_be_set_and_cleared()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.Zero);
        var created = await app.CreateKeyAsync();

        await app.Manager.SetExpiryAsync(created.Record.Id, app.Time.GetUtcNow().AddMinutes(1));
        app.Time.Advance(TimeSpan.FromMinutes(2));
        var expired = await app.GetAsync("/me", created.Key);
        await app.Manager.SetExpiryAsync(created.Record.Id, null);
        var cleared = await app.GetAsync("/me", created.Key);

        expired.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        cleared.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Rotate_gives_a_new_key_and_the_old_one_works_until_the_overlap_ends()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.FromMinutes(5));
        var old = await app.Manager.CreateAsync(new ApiKeyCreateRequest
        {
            Owner = "team-a",
            Name = "ci",
            Scopes = ["jobs:write"],
            AllowedNetworks = ["10.0.0.0/8"],
            Metadata = new Dictionary<string, string> { ["env"] = "ci" },
        });
        (await app.GetAsync("/me", old.Key, "10.0.0.1")).StatusCode.Should().Be(HttpStatusCode.OK);

        var rotated = (await app.Manager.RotateAsync(old.Record.Id, TimeSpan.FromHours(1)))!;

        rotated.Key.Should().NotBe(old.Key);
        rotated.Record.Id.Should().NotBe(old.Record.Id);
        rotated.Record.Should().BeEquivalentTo(old.Record, o => o.Excluding(r => r.Id).Excluding(r => r.CreatedAt));
        var retired = (await app.Manager.GetAsync(old.Record.Id))!;
        retired.ReplacedById.Should().Be(rotated.Record.Id);
        retired.ExpiresAt.Should().Be(app.Time.GetUtcNow().AddHours(1));

        (await app.GetAsync("/me", old.Key, "10.0.0.1")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.GetAsync("/me", rotated.Key, "10.0.0.1")).StatusCode.Should().Be(HttpStatusCode.OK);
        app.Time.Advance(TimeSpan.FromHours(1));
        (await app.GetAsync("/me", old.Key, "10.0.0.1")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.GetAsync("/me", rotated.Key, "10.0.0.1")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Rotate_with_zero_overlap_ends_the_old_key_at_once_even_when_cached()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.FromHours(1));
        var old = await app.CreateKeyAsync();
        (await app.GetAsync("/me", old.Key)).StatusCode.Should().Be(HttpStatusCode.OK);

        var rotated = (await app.Manager.RotateAsync(old.Record.Id, TimeSpan.Zero))!;

        (await app.GetAsync("/me", old.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.GetAsync("/me", rotated.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Rotate_keeps_an_earlier_expiry_of_the_old_key()
    {
        await using var app = await TestApp.StartAsync();
        var expiry = app.Time.GetUtcNow().AddMinutes(10);
        var old = await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "o", ExpiresAt = expiry });

        await app.Manager.RotateAsync(old.Record.Id, TimeSpan.FromDays(1));

        (await app.Manager.GetAsync(old.Record.Id))!.ExpiresAt.Should().Be(expiry);
    }

    [Fact]
    public async Task Two_changes_to_one_key_at_once_both_apply()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        var expiry = app.Time.GetUtcNow().AddDays(7);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Store.AfterFindById = () =>
        {
            app.Store.AfterFindById = null; // hold only the first read open
            return release.Task;
        };

        var disable = app.Manager.DisableAsync(created.Record.Id);        // has read the key, waits before writing
        var setExpiry = app.Manager.SetExpiryAsync(created.Record.Id, expiry); // without serialisation, done at once
        release.SetResult();
        await Task.WhenAll(disable, setExpiry);

        var record = (await app.Manager.GetAsync(created.Record.Id))!;
        record.IsDisabled.Should().BeTrue();
        record.ExpiresAt.Should().Be(expiry, "the disable must not write back the expiry it read before");
    }

    [Fact]
    public async Task Rotating_an_already_rotated_key_throws_naming_its_successor_and_creates_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var old = await app.CreateKeyAsync();
        var successor = (await app.Manager.RotateAsync(old.Record.Id, TimeSpan.FromMinutes(5)))!;
        app.Time.Advance(TimeSpan.FromMinutes(10)); // the old key's overlap has ended
        var writes = app.Store.WriteCalls;

        var again = () => app.Manager.RotateAsync(old.Record.Id, TimeSpan.FromMinutes(5));

        var refused = (await again.Should().ThrowAsync<ApiKeyRotationException>()).WithMessage($"*{old.Record.Id}*{successor.Record.Id}*").Which;
        refused.Reason.Should().Be(ApiKeyRotationRefusal.AlreadyRotated);
        refused.KeyId.Should().Be(old.Record.Id);
        refused.SuccessorId.Should().Be(successor.Record.Id);
        app.Store.WriteCalls.Should().Be(writes, "no second successor is created");
        (await app.GetAsync("/me", old.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Rotating_an_expired_key_is_refused_and_creates_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var expiry = app.Time.GetUtcNow().AddMinutes(1);
        var created = await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "o", ExpiresAt = expiry });
        app.Time.SetUtcNow(expiry);
        var writes = app.Store.WriteCalls;

        var rotate = () => app.Manager.RotateAsync(created.Record.Id, TimeSpan.FromHours(1));

        var refused = (await rotate.Should().ThrowAsync<ApiKeyRotationException>()).WithMessage($"*{created.Record.Id}*expired*").Which;
        refused.Reason.Should().Be(ApiKeyRotationRefusal.Expired);
        app.Store.WriteCalls.Should().Be(writes, "an expired key gets no successor that would bring its access back");
        (await app.Manager.ListAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task Rotating_a_disabled_key_gives_a_successor_that_starts_disabled_and_works_once_enabled()
    {
        await using var app = await TestApp.StartAsync();
        var old = await app.CreateKeyAsync();
        await app.Manager.DisableAsync(old.Record.Id);   // for example: the key leaked; disable first, then rotate

        var rotated = (await app.Manager.RotateAsync(old.Record.Id, TimeSpan.FromHours(1)))!;

        rotated.Record.IsDisabled.Should().BeTrue("rotation replaces the secret and never grants access the old key does not have");
        (await app.GetAsync("/me", rotated.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.GetAsync("/me", old.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.Manager.GetAsync(old.Record.Id))!.ReplacedById.Should().Be(rotated.Record.Id);

        (await app.Manager.EnableAsync(rotated.Record.Id)).Should().BeTrue();

        (await app.GetAsync("/me", rotated.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.GetAsync("/me", old.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the old key stays disabled");
    }

    [Fact]
    public async Task A_change_another_node_writes_between_read_and_write_is_kept_and_the_change_is_applied_again()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        var expiry = app.Time.GetUtcNow().AddDays(7);
        app.Store.AfterFindById = async () =>
        {
            app.Store.AfterFindById = null;

            // Another node (sharing the store, not this process's lock) sets the expiry after this node read the key.
            var current = (await app.Store.Inner.FindByIdAsync(created.Record.Id))!;
            await app.Store.Inner.UpdateAsync(current.Record with { ExpiresAt = expiry }, current.Version);
        };

        (await app.Manager.DisableAsync(created.Record.Id)).Should().BeTrue();

        var stored = (await app.Store.Inner.FindByIdAsync(created.Record.Id))!;
        stored.Record.IsDisabled.Should().BeTrue();
        stored.Record.ExpiresAt.Should().Be(expiry, "the other node's change must not be overwritten by a record read before it");
        stored.Version.Should().Be(3, "created at 1, the other node's update, then this one");
    }

    [Fact]
    public async Task A_rotation_that_loses_a_race_revokes_its_unused_successor_and_reports_the_winner()
    {
        await using var app = await TestApp.StartAsync();
        var old = await app.CreateKeyAsync();
        app.Store.AfterFindById = async () =>
        {
            app.Store.AfterFindById = null;

            // Another node rotates the same key first.
            var current = (await app.Store.Inner.FindByIdAsync(old.Record.Id))!;
            await app.Store.Inner.UpdateAsync(current.Record with { ReplacedById = "key_other_node" }, current.Version);
        };

        var rotate = () => app.Manager.RotateAsync(old.Record.Id, TimeSpan.FromHours(1));

        var refused = (await rotate.Should().ThrowAsync<ApiKeyRotationException>()).Which;
        refused.Reason.Should().Be(ApiKeyRotationRefusal.AlreadyRotated);
        refused.SuccessorId.Should().Be("key_other_node");
        var keys = await app.Manager.ListAsync();
        keys.Should().HaveCount(2, "this node created a successor before it lost the race");
        keys.Single(k => k.Id != old.Record.Id).RevokedAt.Should().NotBeNull("a successor nobody received must not stay usable");
        keys.Single(k => k.Id == old.Record.Id).ReplacedById.Should().Be("key_other_node");
    }

    [Fact]
    public async Task Key_works_until_the_tick_before_its_expiry_and_not_at_it()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.FromHours(1));
        var expiry = app.Time.GetUtcNow().AddMinutes(1);
        var created = await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "o", ExpiresAt = expiry });

        app.Time.SetUtcNow(expiry - TimeSpan.FromTicks(1));
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        app.Time.SetUtcNow(expiry);
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the cached record is checked against the clock");
    }

    [Fact]
    public async Task Rotating_a_revoked_key_throws_naming_the_key_and_the_reason()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        await app.Manager.RevokeAsync(created.Record.Id);
        var writes = app.Store.WriteCalls;

        var rotate = () => app.Manager.RotateAsync(created.Record.Id, TimeSpan.FromMinutes(1));

        var refused = (await rotate.Should().ThrowAsync<ApiKeyRotationException>()).WithMessage($"*{created.Record.Id}*revoked*").Which;
        refused.Reason.Should().Be(ApiKeyRotationRefusal.Revoked);
        refused.KeyId.Should().Be(created.Record.Id);
        app.Store.WriteCalls.Should().Be(writes);
    }

    [Theory]
    [InlineData("", "jobs", "10.0.0.0/8", null, "*Owner*")]
    [InlineData("o", "has space", "10.0.0.0/8", null, "*Scope*")]
    [InlineData("o", "jobs\u0001read", "10.0.0.0/8", null, "*Scope*")] // one control character (mutation testing, docs/testing.md)
    [InlineData("o", "jobs", "not-a-network", null, "*AllowedNetworks*not-a-network*")]
    [InlineData("o", "jobs", "10.1", null, "*AllowedNetworks*10.1*")]
    [InlineData("o", "jobs", "192.168.1/24", null, "*AllowedNetworks*192.168.1/24*")]
    [InlineData("o", "jobs", "010.0.0.1", null, "*AllowedNetworks*010.0.0.1*")]
    [InlineData("o", "jobs", "10.0.0.0/+8", null, "*AllowedNetworks*10.0.0.0/+8*")]
    [InlineData("o", "jobs", "fe80::1%eth0", null, "*AllowedNetworks*fe80::1%eth0*")]
    [InlineData("o", "jobs", "10.0.0.0/8", "Bad-Prefix", "*prefix*")]
    public async Task Invalid_create_request_throws_an_ArgumentException_naming_the_field(string owner, string scope, string network, string? prefix, string message)
    {
        await using var app = await TestApp.StartAsync();

        var create = () => app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = owner, Scopes = [scope], AllowedNetworks = [network], Prefix = prefix });

        await create.Should().ThrowAsync<ArgumentException>().WithMessage(message);
        app.Store.WriteCalls.Should().Be(0);
    }

    [Fact]
    public async Task Name_longer_than_a_store_column_throws_an_ArgumentException_naming_the_field()
    {
        await using var app = await TestApp.StartAsync();

        var create = () => app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "o", Name = new string('n', 257) });

        await create.Should().ThrowAsync<ArgumentException>().WithMessage("*Name*256*");
        app.Store.WriteCalls.Should().Be(0);
    }

    [Fact]
    public async Task Last_used_time_is_coalesced_in_memory_and_written_in_one_batch()
    {
        await using var app = await TestApp.StartAsync();
        var first = await app.CreateKeyAsync();
        var second = await app.CreateKeyAsync();
        var tracker = app.App.Services.GetRequiredService<LastUsedTracker>();

        for (var i = 0; i < 5; i++)
        {
            (await app.GetAsync("/me", first.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
            app.Time.Advance(TimeSpan.FromSeconds(1));
        }

        (await app.GetAsync("/me", second.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        var lastUseOfFirst = app.Time.GetUtcNow() - TimeSpan.FromSeconds(1);

        app.Store.LastUsedWrites.Should().Be(0, "no store write per request");
        tracker.PendingCount.Should().Be(2);
        await tracker.FlushAsync(CancellationToken.None);

        app.Store.LastUsedWrites.Should().Be(1);
        (await app.Manager.GetAsync(first.Record.Id))!.LastUsedAt.Should().Be(lastUseOfFirst);
        (await app.Manager.GetAsync(second.Record.Id))!.LastUsedAt.Should().Be(app.Time.GetUtcNow());
        tracker.PendingCount.Should().Be(0);
    }

    [Fact]
    public async Task Last_used_times_are_flushed_when_the_flush_interval_passes()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.LastUsedFlushInterval = TimeSpan.FromSeconds(30));
        var created = await app.CreateKeyAsync();
        await app.GetAsync("/me", created.Key);
        app.Store.LastUsedWrites.Should().Be(0);

        // The flush service waits on a PeriodicTimer driven by the FakeTimeProvider: advance and wait for the
        // write itself (the generous bound only turns a hang into a failure; nothing here measures time).
        app.Time.Advance(TimeSpan.FromSeconds(30));
        await app.Store.LastUsedWritten.Task.WaitAsync(TimeSpan.FromSeconds(30));

        app.Store.LastUsedWrites.Should().Be(1);
        (await app.Manager.GetAsync(created.Record.Id))!.LastUsedAt.Should().NotBeNull();
    }

    [Fact]
    public async Task A_shutdown_timeout_that_runs_out_during_the_last_flush_stops_the_host_cleanly_and_logs_what_was_lost()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        await app.GetAsync("/me", created.Key);
        app.Store.LastUsedHangs = true;

        // The host's shutdown timeout runs out while the final flush waits for the store. Before, the flush's
        // cancellation escaped StopAsync, and a host run with RunAsync crashed (exit code 134) instead of stopping.
        using var shutdownTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var stop = () => app.App.StopAsync(shutdownTimeout.Token);

        await stop.Should().NotThrowAsync();
        app.Store.LastUsedHangs = false;
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Id == 31 && r.Id.Name == "LastUsedShutdownFlushCancelled")
            .Which.Message.Should().Contain("1 API keys");
        app.App.Services.GetRequiredService<LastUsedTracker>().PendingCount.Should().Be(1, "the time that was not written is still pending, not dropped silently");
    }

    [Fact]
    public async Task Failed_last_used_flush_is_logged_and_retried_with_the_newest_times()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        var tracker = app.App.Services.GetRequiredService<LastUsedTracker>();
        await app.GetAsync("/me", created.Key);
        app.Store.ThrowOnLastUsed = new TimeoutException("database timeout");

        await tracker.FlushAsync(CancellationToken.None);
        app.Time.Advance(TimeSpan.FromSeconds(5));
        await app.GetAsync("/me", created.Key);
        app.Store.ThrowOnLastUsed = null;
        await tracker.FlushAsync(CancellationToken.None);

        app.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 30 && r.Id.Name == "LastUsedFlushFailed");
        (await app.Manager.GetAsync(created.Record.Id))!.LastUsedAt.Should().Be(app.Time.GetUtcNow());
    }

    [Fact]
    public async Task Cancelled_last_used_flush_keeps_the_times_for_the_next_flush()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        var tracker = app.App.Services.GetRequiredService<LastUsedTracker>();
        await app.GetAsync("/me", created.Key);
        var usedAt = app.Time.GetUtcNow();
        app.Store.ThrowOnLastUsed = new OperationCanceledException("shutting down");

        var cancelled = () => tracker.FlushAsync(CancellationToken.None);
        await cancelled.Should().ThrowAsync<OperationCanceledException>();

        tracker.PendingCount.Should().Be(1, "a cancelled write must not drop the pending time");
        app.Store.ThrowOnLastUsed = null;
        await tracker.FlushAsync(CancellationToken.None);
        (await app.Manager.GetAsync(created.Record.Id))!.LastUsedAt.Should().Be(usedAt);
        tracker.PendingCount.Should().Be(0);
    }

    [Fact]
    public async Task Use_recorded_while_a_flush_is_writing_is_kept_for_the_next_flush()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        var tracker = app.App.Services.GetRequiredService<LastUsedTracker>();
        await app.GetAsync("/me", created.Key);
        var later = app.Time.GetUtcNow().AddSeconds(5);
        app.Store.DuringLastUsedWrite = () => tracker.Record(created.Record.Id, later);

        await tracker.FlushAsync(CancellationToken.None);

        tracker.PendingCount.Should().Be(1, "the newer time arrived after the snapshot was taken");
        app.Store.DuringLastUsedWrite = null;
        await tracker.FlushAsync(CancellationToken.None);
        (await app.Manager.GetAsync(created.Record.Id))!.LastUsedAt.Should().Be(later);
        tracker.PendingCount.Should().Be(0);
    }

    [Fact]
    public async Task Concurrent_uses_and_flushes_lose_no_newest_time()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        var tracker = app.App.Services.GetRequiredService<LastUsedTracker>();
        var start = app.Time.GetUtcNow();
        const int Writers = 4;
        const int PerWriter = 5000;
        using var stop = new CancellationTokenSource();

        var flusher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await tracker.FlushAsync(CancellationToken.None);
            }
        });
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                tracker.Record(created.Record.Id, start.AddTicks((i * Writers) + w + 1));
            }
        })).ToArray();
        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await flusher;
        await tracker.FlushAsync(CancellationToken.None);

        (await app.Manager.GetAsync(created.Record.Id))!.LastUsedAt.Should().Be(start.AddTicks(PerWriter * Writers));
        tracker.PendingCount.Should().Be(0);
    }

    [Fact]
    public async Task Last_used_times_are_flushed_at_shutdown()
    {
        var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        await app.GetAsync("/me", created.Key);
        var store = app.Store;

        await app.DisposeAsync();

        store.LastUsedWrites.Should().Be(1);
        (await store.Inner.FindByIdAsync(created.Record.Id))!.Record.LastUsedAt.Should().NotBeNull();
    }
}
