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
    public async Task Repeated_failures_from_one_address_get_429_before_the_store_is_asked()
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
        var throttled = await app.GetAsync("/me", ApiKeyFormat.Generate("sk_test"), "203.0.113.7");

        throttled.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        throttled.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(60));
        throttled.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await throttled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32().Should().Be(429);
        app.Store.FindByHashCalls.Should().Be(lookupsBefore, "a throttled request never reaches the store");
        app.Logs.GetSnapshot().Count(r => r.Id.Name == "ClientBlocked").Should().Be(1, "the block is logged once, not per refused request");
        app.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "ClientThrottled" && r.Level == Microsoft.Extensions.Logging.LogLevel.Debug);
    }

    [Fact]
    public async Task Throttled_address_is_refused_even_with_a_valid_key_until_the_window_ends()
    {
        await using var app = await TestApp.StartAsync(keys: o =>
        {
            o.BruteForce.PermitFailures = 2;
            o.BruteForce.Window = TimeSpan.FromSeconds(30);
        });
        var created = await app.CreateKeyAsync();
        await app.GetAsync("/me", "sk_test_bad", "198.51.100.1");
        await app.GetAsync("/me", "sk_test_worse", "198.51.100.1");

        var during = await app.GetAsync("/me", created.Key, "198.51.100.1");
        var otherAddress = await app.GetAsync("/me", created.Key, "198.51.100.2");
        app.Time.Advance(TimeSpan.FromSeconds(30));
        var after = await app.GetAsync("/me", created.Key, "198.51.100.1");

        during.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        otherAddress.StatusCode.Should().Be(HttpStatusCode.OK);
        after.StatusCode.Should().Be(HttpStatusCode.OK);
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
}
