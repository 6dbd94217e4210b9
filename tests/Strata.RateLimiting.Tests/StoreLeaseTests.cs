using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Strata.RateLimiting.Internal;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Tests;

/// <summary>
/// What a lease tells the code that holds it (a user's <c>OnRejected</c>, the response headers): the metadata it lists
/// and returns, and, for a rejection the deny cache keeps answering, figures that count down as time passes.
/// </summary>
public sealed class StoreLeaseTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero));

    [Fact]
    public void Retry_after_read_later_is_reduced_by_the_time_since_the_decision()
    {
        // A deny-cache rejection: retry in 10 s, the limit whole again in 40 s.
        var lease = DenyCacheLease(retryAfter: TimeSpan.FromSeconds(10), reset: TimeSpan.FromSeconds(40));
        Metadata(lease, MetadataName.RetryAfter).Should().Be(TimeSpan.FromSeconds(10));
        Metadata(lease, RateLimitMetadataNames.Reset).Should().Be(TimeSpan.FromSeconds(40));

        _time.Advance(TimeSpan.FromSeconds(4));

        lease.RetryAfter.Should().Be(TimeSpan.FromSeconds(6));
        Metadata(lease, MetadataName.RetryAfter).Should().Be(TimeSpan.FromSeconds(6), "4 s of the 10 s have passed");
        Metadata(lease, RateLimitMetadataNames.Reset).Should().Be(TimeSpan.FromSeconds(36), "the reset counts down with it");

        _time.Advance(TimeSpan.FromSeconds(5.5));

        Metadata(lease, MetadataName.RetryAfter).Should().Be(TimeSpan.FromSeconds(0.5));
        Metadata(lease, RateLimitMetadataNames.Reset).Should().Be(TimeSpan.FromSeconds(30.5));
    }

    [Fact]
    public void Retry_after_and_reset_read_after_the_deny_period_are_zero_not_negative()
    {
        // The most restrictive limit's reset (5 s) can be shorter than the decision's retry (10 s, another limit's).
        var lease = DenyCacheLease(retryAfter: TimeSpan.FromSeconds(10), reset: TimeSpan.FromSeconds(5));

        _time.Advance(TimeSpan.FromSeconds(8));

        Metadata(lease, RateLimitMetadataNames.Reset).Should().Be(TimeSpan.Zero, "5 s less 8 s passed is no time, not minus 3 s");
        Metadata(lease, MetadataName.RetryAfter).Should().Be(TimeSpan.FromSeconds(2));

        _time.Advance(TimeSpan.FromSeconds(3));

        lease.RetryAfter.Should().Be(TimeSpan.Zero, "the deny period ended a second ago");
        lease.TryGetMetadata(MetadataName.RetryAfter.Name, out var retryAfter).Should().BeFalse("a retry time that has passed is not given");
        retryAfter.Should().BeNull();
        Metadata(lease, RateLimitMetadataNames.Reset).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Rejected_lease_lists_and_returns_its_metadata()
    {
        var lease = new StoreLease(Rejection("api", DecisionSource.Store, TimeSpan.FromSeconds(7), reset: TimeSpan.FromSeconds(30)), release: null);

        lease.IsAcquired.Should().BeFalse();
        lease.MetadataNames.Should().Equal(
            RateLimitMetadataNames.Policy.Name,
            RateLimitMetadataNames.Limit.Name,
            RateLimitMetadataNames.Remaining.Name,
            RateLimitMetadataNames.Reset.Name,
            MetadataName.RetryAfter.Name,
            MetadataName.ReasonPhrase.Name,
            RateLimitMetadataNames.RejectionReason.Name);
        Metadata(lease, RateLimitMetadataNames.Policy).Should().Be("api");
        Metadata(lease, RateLimitMetadataNames.Limit).Should().Be(5);
        Metadata(lease, RateLimitMetadataNames.Remaining).Should().Be(0);
        Metadata(lease, RateLimitMetadataNames.Reset).Should().Be(TimeSpan.FromSeconds(30));
        Metadata(lease, MetadataName.RetryAfter).Should().Be(TimeSpan.FromSeconds(7));
        Metadata(lease, MetadataName.ReasonPhrase).Should().Be("Rate limit exceeded.");
        Metadata(lease, RateLimitMetadataNames.RejectionReason).Should().Be(RateLimitRejectionReasons.QuotaExceeded);
        lease.GetAllMetadata().Select(pair => pair.Key).Should().Equal(lease.MetadataNames, "every name listed has a value");
        lease.TryGetMetadata("SOMETHING_ELSE", out var unknown).Should().BeFalse();
        unknown.Should().BeNull();
    }

    [Fact]
    public void Lease_refused_because_the_store_is_down_says_so_in_its_reason()
    {
        var lease = new StoreLease(Rejection("api", DecisionSource.FailClosed, TimeSpan.FromSeconds(3), reset: TimeSpan.Zero), release: null);

        Metadata(lease, MetadataName.ReasonPhrase).Should().Be("The rate-limit store is unavailable.");
        Metadata(lease, RateLimitMetadataNames.RejectionReason).Should().Be(RateLimitRejectionReasons.StoreUnavailable);
        Metadata(lease, MetadataName.RetryAfter).Should().Be(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Acquired_lease_lists_and_returns_its_metadata_and_no_rejection()
    {
        var rule = RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1));
        var decision = new Decision("api", [rule], [new StoreLimitResult(true, 4, 59_000_000, 0)], true, DecisionSource.Store, TimeSpan.Zero);
        var lease = new StoreLease(decision, release: null);

        lease.IsAcquired.Should().BeTrue();
        lease.MetadataNames.Should().Equal(
            RateLimitMetadataNames.Policy.Name, RateLimitMetadataNames.Limit.Name, RateLimitMetadataNames.Remaining.Name, RateLimitMetadataNames.Reset.Name);
        lease.GetAllMetadata().Should().Equal(
            new KeyValuePair<string, object?>(RateLimitMetadataNames.Policy.Name, "api"),
            new KeyValuePair<string, object?>(RateLimitMetadataNames.Limit.Name, 5L),
            new KeyValuePair<string, object?>(RateLimitMetadataNames.Remaining.Name, 4L),
            new KeyValuePair<string, object?>(RateLimitMetadataNames.Reset.Name, TimeSpan.FromSeconds(59)));
        lease.TryGetMetadata(MetadataName.ReasonPhrase.Name, out _).Should().BeFalse();
        lease.TryGetMetadata(RateLimitMetadataNames.RejectionReason.Name, out _).Should().BeFalse();
        lease.TryGetMetadata(MetadataName.RetryAfter.Name, out _).Should().BeFalse();
    }

    [Fact]
    public void Deferred_lease_has_no_policy_and_no_figures()
    {
        var lease = StoreLease.Deferred;

        lease.IsAcquired.Should().BeFalse();
        lease.GetAllMetadata().Should().BeEmpty("nothing has been decided yet");
    }

    [Fact]
    public void Rejection_from_a_factory_limiter_carries_what_OnRejected_reads()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddStrataRateLimiting();
        using var provider = services.BuildServiceProvider();
        using var limiter = provider.GetRequiredService<IRateLimiterFactory>().CreateLimiter("uploads", "alice", RateLimitRule.FixedWindow(2, TimeSpan.FromMinutes(1)));
        limiter.AttemptAcquire().IsAcquired.Should().BeTrue();
        limiter.AttemptAcquire().IsAcquired.Should().BeTrue();

        _time.Advance(TimeSpan.FromSeconds(9));
        using var rejected = limiter.AttemptAcquire();

        rejected.IsAcquired.Should().BeFalse();
        rejected.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter).Should().BeTrue();
        retryAfter.Should().Be(TimeSpan.FromSeconds(50), "the window that began at 00:00:00 ends at 00:01:00; it is 00:00:10");
        rejected.TryGetMetadata(MetadataName.ReasonPhrase, out var phrase).Should().BeTrue();
        phrase.Should().Be("Rate limit exceeded.");
        Metadata(rejected, RateLimitMetadataNames.Policy).Should().Be("uploads");
        Metadata(rejected, RateLimitMetadataNames.Remaining).Should().Be(0);
        Metadata(rejected, RateLimitMetadataNames.RejectionReason).Should().Be(RateLimitRejectionReasons.QuotaExceeded);
        rejected.MetadataNames.Should().Contain([MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name, RateLimitMetadataNames.RejectionReason.Name]);
    }

    private static T? Metadata<T>(RateLimitLease lease, MetadataName<T> name)
    {
        lease.TryGetMetadata(name.Name, out var value).Should().BeTrue($"the lease should carry {name.Name}");
        return (T?)value;
    }

    private static Decision Rejection(string policy, DecisionSource source, TimeSpan retryAfter, TimeSpan reset) =>
        new(policy, [RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1))], [new StoreLimitResult(false, 0, reset.Ticks / 10, retryAfter.Ticks / 10)], false, source, retryAfter);

    private StoreLease DenyCacheLease(TimeSpan retryAfter, TimeSpan reset)
    {
        var deniedUntil = _time.GetTimestamp() + (long)(retryAfter.TotalSeconds * _time.TimestampFrequency);
        return new StoreLease(Rejection("api", DecisionSource.DenyCache, retryAfter, reset), _time, deniedUntil, deniedCost: 1);
    }
}
