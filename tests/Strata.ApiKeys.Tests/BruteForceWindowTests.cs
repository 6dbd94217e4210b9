using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

/// <summary>The brute-force guard's windows, driven directly under a fake clock.</summary>
public sealed class BruteForceWindowTests : IDisposable
{
    private static readonly IPAddress Address = IPAddress.Parse("203.0.113.9");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services;
    private readonly BruteForceGuard _guard;

    public BruteForceWindowTests()
    {
        _services = new ServiceCollection()
            .Configure<ApiKeysOptions>(o =>
            {
                o.BruteForce.PermitFailures = 2;
                o.BruteForce.Window = TimeSpan.FromMinutes(1);
            })
            .BuildServiceProvider();
        _guard = new BruteForceGuard(_time, _services.GetRequiredService<IOptionsMonitor<ApiKeysOptions>>());
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Address_is_blocked_when_its_failures_reach_the_allowance_and_until_its_window_ends()
    {
        _guard.RecordFailure(Address).Should().BeFalse("one failure of two allowed");
        _guard.IsBlocked(Address, out _).Should().BeFalse();

        _guard.RecordFailure(Address).Should().BeTrue("the second failure uses up the allowance");
        _guard.IsBlocked(Address, out var retryAfter).Should().BeTrue();
        retryAfter.Should().Be(TimeSpan.FromMinutes(1));

        _time.Advance(TimeSpan.FromSeconds(59));
        _guard.IsBlocked(Address, out retryAfter).Should().BeTrue();
        retryAfter.Should().Be(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        _guard.IsBlocked(Address, out _).Should().BeFalse("the window has ended");
    }

    [Fact]
    public void Address_blocked_in_one_window_starts_the_next_window_with_its_full_allowance()
    {
        _guard.RecordFailure(Address);
        _guard.RecordFailure(Address);
        _guard.IsBlocked(Address, out _).Should().BeTrue();
        _time.Advance(TimeSpan.FromMinutes(5));

        _guard.RecordFailure(Address).Should().BeFalse("the first failure of a new window does not use up the allowance");
        _guard.IsBlocked(Address, out _).Should().BeFalse("the failures of the earlier window no longer count");

        _guard.RecordFailure(Address).Should().BeTrue("the new window's second failure uses up the allowance");
        _guard.IsBlocked(Address, out var retryAfter).Should().BeTrue();
        retryAfter.Should().Be(TimeSpan.FromMinutes(1), "the new window started at the first failure after the old one ended");
    }
}
