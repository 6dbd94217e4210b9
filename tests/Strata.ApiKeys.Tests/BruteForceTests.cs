using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Strata.ApiKeys.Internal;
using Strata.Shared;

namespace Strata.ApiKeys.Tests;

public sealed class BruteForceTests
{
    [Fact]
    public async Task Repeated_failures_from_one_address_get_429_and_a_malformed_key_never_reaches_the_store()
    {
        await using var app = await TestApp.StartAsync(keys: o =>
        {
            o.BruteForce.PermitFailures = 3;
            o.BruteForce.Window = TimeSpan.FromMinutes(1);
            o.NegativeCacheDuration = TimeSpan.Zero;
        });

        for (var i = 0; i < 3; i++)
        {
            (await app.GetAsync("/me", ApiKeyFormat.Generate("sk_test"), "203.0.113.7")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        var lookupsBefore = app.Store.FindByHashCalls;
        var throttled = await app.GetAsync("/me", "sk_test_guess", "203.0.113.7");

        throttled.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        throttled.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(60));
        throttled.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await throttled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32().Should().Be(429);
        app.Store.FindByHashCalls.Should().Be(lookupsBefore, "a malformed key from a blocked address never reaches the store");
        app.Logs.GetSnapshot().Count(r => r.Id.Name == "ClientBlocked").Should().Be(1, "the block is logged once, not per refused request");
        app.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "ClientThrottled" && r.Level == Microsoft.Extensions.Logging.LogLevel.Debug);
    }

    [Fact]
    public async Task Valid_key_from_a_blocked_address_is_accepted_from_the_cache_without_a_store_lookup()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.PermitFailures = 2);
        var created = await app.CreateKeyAsync();
        (await app.GetAsync("/me", created.Key, "198.51.100.2")).StatusCode.Should().Be(HttpStatusCode.OK);
        await app.GetAsync("/me", "sk_test_bad", "198.51.100.1");
        await app.GetAsync("/me", "sk_test_worse", "198.51.100.1");
        (await app.GetAsync("/me", "sk_test_again", "198.51.100.1")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the address is blocked");
        var lookupsBefore = app.Store.FindByHashCalls;

        var valid = await app.GetAsync("/me", created.Key, "198.51.100.1");

        valid.StatusCode.Should().Be(HttpStatusCode.OK, "a valid key is never refused for what others behind the same address sent");
        app.Store.FindByHashCalls.Should().Be(lookupsBefore, "the key's lookup was cached");
    }

    [Fact]
    public async Task Valid_key_not_yet_cached_is_accepted_from_a_blocked_address()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.PermitFailures = 2);
        var created = await app.CreateKeyAsync();
        await app.GetAsync("/me", "sk_test_bad", "198.51.100.1");
        await app.GetAsync("/me", "sk_test_worse", "198.51.100.1");
        (await app.GetAsync("/me", "sk_test_again", "198.51.100.1")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the address is blocked");

        var valid = await app.GetAsync("/me", created.Key, "198.51.100.1");

        valid.StatusCode.Should().Be(HttpStatusCode.OK);
        app.Store.FindByHashCalls.Should().Be(1, "the uncached key took one store lookup");
    }

    [Fact]
    public async Task Unknown_keys_from_a_blocked_address_keep_getting_429_and_a_cached_unknown_never_reaches_the_store()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.PermitFailures = 2);
        var guess = ApiKeyFormat.Generate("sk_test");
        (await app.GetAsync("/me", guess, "203.0.113.8")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.GetAsync("/me", guess, "203.0.113.8")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        app.Store.FindByHashCalls.Should().Be(1, "the second attempt was answered by the negative cache");

        var repeated = await app.GetAsync("/me", guess, "203.0.113.8");
        var lookupsAfterRepeat = app.Store.FindByHashCalls;
        var fresh = ApiKeyFormat.Generate("sk_test");
        var newGuess = await app.GetAsync("/me", fresh, "203.0.113.8");
        var newGuessAgain = await app.GetAsync("/me", fresh, "203.0.113.8");

        repeated.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        lookupsAfterRepeat.Should().Be(1, "a key the cache knows as unknown is refused without the store");
        newGuess.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        newGuessAgain.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        app.Store.FindByHashCalls.Should().Be(2, "a new well-formed guess takes one lookup, its repeat none");
    }

    [Fact]
    public async Task A_blocked_address_gets_one_store_lookup_at_a_time_and_its_valid_key_waits_for_its_turn()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.PermitFailures = 1);
        var guard = app.App.Services.GetRequiredService<BruteForceGuard>();
        var created = await app.CreateKeyAsync();
        (await app.GetAsync("/me", "sk_test_bad", "203.0.113.9")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Store.DuringFindByHash = () => release.Task;

        var first = app.GetAsync("/me", ApiKeyFormat.Generate("sk_test"), "203.0.113.9");
        await WaitUntilAsync(() => app.Store.FindsInFlight == 1);
        var second = app.GetAsync("/me", ApiKeyFormat.Generate("sk_test"), "203.0.113.9");
        var valid = app.GetAsync("/me", created.Key, "203.0.113.9");
        await WaitUntilAsync(() => guard.WaitingLookups == 2 || app.Store.FindsInFlight > 1 || second.IsCompleted || valid.IsCompleted);

        app.Store.FindsInFlight.Should().Be(1, "the other requests of the blocked address wait instead of reaching the store");
        guard.WaitingLookups.Should().Be(2);
        release.SetResult();
        (await first).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await second).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await valid).StatusCode.Should().Be(HttpStatusCode.OK);
        app.Store.FindByHashCalls.Should().Be(3);
    }

    [Fact]
    public async Task An_address_blocked_once_gets_a_fresh_allowance_in_a_later_window()
    {
        await using var app = await TestApp.StartAsync(keys: o =>
        {
            o.BruteForce.PermitFailures = 2;
            o.BruteForce.Window = TimeSpan.FromSeconds(30);
        });
        await app.GetAsync("/me", "sk_test_bad", "198.51.100.1");
        await app.GetAsync("/me", "sk_test_worse", "198.51.100.1");
        (await app.GetAsync("/me", "sk_test_bad", "198.51.100.1")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        app.Time.Advance(TimeSpan.FromSeconds(30));
        var firstLater = await app.GetAsync("/me", "sk_test_bad", "198.51.100.1");
        var secondLater = await app.GetAsync("/me", "sk_test_bad", "198.51.100.1");
        var thirdLater = await app.GetAsync("/me", "sk_test_bad", "198.51.100.1");

        firstLater.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the first failure of a new window is not blocked");
        secondLater.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the new window allows PermitFailures failures again");
        thirdLater.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Anonymous_endpoints_stay_reachable_for_a_throttled_address()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.PermitFailures = 1);
        await app.GetAsync("/me", "sk_test_bad", "198.51.100.9");

        (await app.GetAsync("/open", "sk_test_bad", "198.51.100.9")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Brute_force_protection_can_be_turned_off()
    {
        await using var app = await TestApp.StartAsync(keys: o =>
        {
            o.BruteForce.Enabled = false;
            o.BruteForce.PermitFailures = 1;
        });

        for (var i = 0; i < 5; i++)
        {
            (await app.GetAsync("/me", "sk_test_bad", "198.51.100.3")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task Expired_and_revoked_keys_do_not_count_as_failures()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.PermitFailures = 1);
        var created = await app.CreateKeyAsync();
        await app.Manager.RevokeAsync(created.Record.Id);

        for (var i = 0; i < 3; i++)
        {
            (await app.GetAsync("/me", created.Key, "198.51.100.4")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public void IPv6_clients_are_counted_per_64_network_and_mapped_IPv4_as_IPv4()
    {
        ClientAddressKey.Of(IPAddress.Parse("2001:db8:1:2:aaaa::1")).Should().Be(ClientAddressKey.Of(IPAddress.Parse("2001:db8:1:2:bbbb::2")));
        ClientAddressKey.Of(IPAddress.Parse("2001:db8:1:3::1")).Should().NotBe(ClientAddressKey.Of(IPAddress.Parse("2001:db8:1:2::1")));
        ClientAddressKey.Of(IPAddress.Parse("::ffff:192.0.2.1")).Should().Be("192.0.2.1");
        ClientAddressKey.Of(null).Should().Be("unknown");
    }

    [Fact]
    public async Task Failure_table_stays_within_MaxTrackedAddresses()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.MaxTrackedAddresses = 100);
        var guard = app.App.Services.GetRequiredService<BruteForceGuard>();

        for (var i = 0; i < 1000; i++)
        {
            guard.RecordFailure(new IPAddress([10, 0, (byte)(i / 256), (byte)(i % 256)]));
        }

        guard.TrackedCount.Should().BeLessThanOrEqualTo(101);
    }

    [Fact]
    public async Task Blocked_address_stays_blocked_when_a_flood_of_other_addresses_fills_the_table()
    {
        await using var app = await TestApp.StartAsync(keys: o =>
        {
            o.BruteForce.PermitFailures = 2;
            o.BruteForce.MaxTrackedAddresses = 10;
        });
        var guard = app.App.Services.GetRequiredService<BruteForceGuard>();
        var attacker = IPAddress.Parse("198.51.100.9");
        guard.RecordFailure(attacker);
        guard.RecordFailure(attacker).Should().BeTrue("the second failure uses up the allowance");

        // The same client now fails once from each of many other addresses, later than its own block.
        for (var i = 0; i < 100; i++)
        {
            app.Time.Advance(TimeSpan.FromMilliseconds(10));
            guard.RecordFailure(new IPAddress([10, 1, (byte)(i / 256), (byte)(i % 256)]));
        }

        guard.TrackedCount.Should().BeLessThanOrEqualTo(11);
        guard.IsBlocked(attacker, out _).Should().BeTrue("eviction drops unblocked addresses before blocked ones");
    }

    [Fact]
    public async Task IPv6_failures_block_the_whole_slash_64_and_nothing_else()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.PermitFailures = 2);
        var guard = app.App.Services.GetRequiredService<BruteForceGuard>();
        guard.IsBlocked(IPAddress.Parse("2001:db8::1"), out _).Should().BeFalse("nothing is tracked yet");

        guard.RecordFailure(IPAddress.Parse("2001:db8::1"));
        guard.RecordFailure(IPAddress.Parse("2001:db8::ffff:1"));

        guard.IsBlocked(IPAddress.Parse("2001:db8::2"), out var retryAfter).Should().BeTrue();
        retryAfter.Should().BePositive();
        guard.IsBlocked(IPAddress.Parse("2001:db8:0:1::1"), out _).Should().BeFalse();
        guard.IsBlocked(IPAddress.Parse("192.0.2.1"), out _).Should().BeFalse();
    }

    [Fact]
    public async Task Tracked_counter_follows_adds_and_sweeps()
    {
        await using var app = await TestApp.StartAsync(keys: o =>
        {
            o.BruteForce.MaxTrackedAddresses = 10;
            o.BruteForce.Window = TimeSpan.FromMinutes(1);
        });
        var guard = app.App.Services.GetRequiredService<BruteForceGuard>();

        for (var i = 0; i < 25; i++)
        {
            guard.RecordFailure(new IPAddress([10, 2, 0, (byte)i]));
            guard.RecordFailure(new IPAddress([10, 2, 0, (byte)i]));
        }

        guard.TrackedCounter.Should().Be(guard.TrackedCount);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < 11; i++)
        {
            guard.RecordFailure(new IPAddress([10, 3, 0, (byte)i]));
        }

        guard.TrackedCount.Should().BeLessThanOrEqualTo(11);
        guard.TrackedCounter.Should().Be(guard.TrackedCount);
    }

    [Fact]
    public async Task Spoofed_X_Forwarded_For_does_not_escape_the_guard_when_the_host_did_not_configure_forwarded_headers()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.PermitFailures = 2);

        for (var i = 0; i < 2; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/me");
            request.Headers.TryAddWithoutValidation(ApiKeyDefaults.HeaderName, ApiKeyFormat.Generate("sk_test"));
            request.Headers.Add(TestApp.ClientAddressHeader, "203.0.113.50");
            request.Headers.Add("X-Forwarded-For", $"192.0.2.{i + 1}");
            (await app.Client.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        var spoofed = new HttpRequestMessage(HttpMethod.Get, "/me");
        spoofed.Headers.TryAddWithoutValidation(ApiKeyDefaults.HeaderName, ApiKeyFormat.Generate("sk_test"));
        spoofed.Headers.Add(TestApp.ClientAddressHeader, "203.0.113.50");
        spoofed.Headers.Add("X-Forwarded-For", "192.0.2.99");

        (await app.Client.SendAsync(spoofed)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the guard keys on the connection address, not on a header the client writes");
    }

    /// <summary>Waits for a condition that concurrent requests bring about; fails after 10 seconds.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5), timeout.Token);
        }
    }
}
