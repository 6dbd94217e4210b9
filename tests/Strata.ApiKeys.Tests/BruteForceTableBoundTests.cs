using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

/// <summary>The brute-force guard's table at its bound: expired windows swept first, then the oldest unblocked addresses.</summary>
public sealed class BruteForceTableBoundTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 8, 1, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services;
    private readonly BruteForceGuard _guard;

    public BruteForceTableBoundTests()
    {
        _services = new ServiceCollection()
            .Configure<ApiKeysOptions>(o =>
            {
                o.BruteForce.PermitFailures = 2;
                o.BruteForce.Window = TimeSpan.FromMinutes(1);
                o.BruteForce.MaxTrackedAddresses = 3;
            })
            .BuildServiceProvider();
        _guard = new BruteForceGuard(_time, _services.GetRequiredService<IOptionsMonitor<ApiKeysOptions>>());
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Expired_windows_are_swept_when_the_table_passes_its_bound()
    {
        var expired = Address(1);
        _guard.RecordFailure(expired);
        _guard.RecordFailure(expired).Should().BeTrue("the expired address was blocked in its window");
        _time.Advance(TimeSpan.FromMinutes(1)); // exactly one window: the blocked address's window has just ended

        _guard.RecordFailure(Address(2));
        _guard.RecordFailure(Address(3));
        _guard.TrackedCount.Should().Be(3, "a table at its bound (3) is not swept yet");

        _guard.RecordFailure(Address(4));

        _guard.TrackedCount.Should().Be(3, "passing the bound swept the one expired window and nothing else");
        _guard.TrackedCounter.Should().Be(3);
        foreach (var kept in new[] { Address(2), Address(3), Address(4) })
        {
            _guard.RecordFailure(kept).Should().BeTrue($"{kept} kept its first failure, so its second uses up the allowance");
        }

        _guard.TrackedCount.Should().Be(3, "the three kept addresses were still tracked");
    }

    [Fact]
    public void A_flood_of_addresses_evicts_the_oldest_unblocked_ones_first()
    {
        // Bound 3: a blocked address, then unblocked ones a second apart; the fifth passes the bound by two.
        var blocked = Address(1);
        _guard.RecordFailure(blocked);
        _guard.RecordFailure(blocked).Should().BeTrue();
        _time.Advance(TimeSpan.FromSeconds(1));
        _guard.RecordFailure(Address(2));
        _time.Advance(TimeSpan.FromSeconds(1));
        _guard.RecordFailure(Address(3));
        _guard.TrackedCount.Should().Be(3);
        _time.Advance(TimeSpan.FromSeconds(1));

        _guard.RecordFailure(Address(4));

        // Four entries, none expired: half the table (2) goes, unblocked and oldest first: addresses 2 and 3.
        _guard.TrackedCount.Should().Be(2);
        _guard.IsBlocked(blocked, out var retryAfter).Should().BeTrue("a blocked address is evicted only when the table is full of them");
        retryAfter.Should().Be(TimeSpan.FromSeconds(57));
        _guard.RecordFailure(Address(4)).Should().BeTrue("the newest address kept its first failure");
        _guard.RecordFailure(Address(2)).Should().BeFalse("the oldest unblocked address was evicted: its failure starts a new window");
        _guard.TrackedCount.Should().Be(3);
    }

    [Fact]
    public void Blocked_addresses_go_oldest_first_once_no_unblocked_one_is_left()
    {
        for (var i = 1; i <= 3; i++)
        {
            _guard.RecordFailure(Address(i));
            _guard.RecordFailure(Address(i)).Should().BeTrue();
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        _guard.RecordFailure(Address(4));

        // Four entries, none expired: half (2) go, the one unblocked address first, then the oldest blocked one.
        _guard.TrackedCount.Should().Be(2);
        _guard.IsBlocked(Address(1), out _).Should().BeFalse("the oldest blocked address was evicted");
        _guard.IsBlocked(Address(2), out _).Should().BeTrue();
        _guard.IsBlocked(Address(3), out _).Should().BeTrue();
        _guard.RecordFailure(Address(4)).Should().BeFalse("the unblocked newcomer was evicted: its failure starts a new window");
    }

    private static IPAddress Address(int n) => IPAddress.Parse($"198.51.100.{n}");
}
