using Microsoft.Extensions.Time.Testing;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Tests;

/// <summary>
/// The in-process store's own table: expired limits and emptied permit sets are swept every 10 s of store time (no
/// sooner, no later), the concurrency figures it reports, and what it does with a cancelled or malformed request.
/// </summary>
public sealed class InProcessStoreTableTests
{
    private static readonly StoreLimit[] Table =
    [
        new(RateLimitAlgorithm.Gcra, 2, 1_000_000, 0), // two permits: its state expires 1 s later
        new(RateLimitAlgorithm.Gcra, 2, 10_000_000, 0), // expires 10 s later, the instant of the next sweep
        new(RateLimitAlgorithm.Concurrency, 2, 1_000_000, 0), // leases live 1 s
        new(RateLimitAlgorithm.Concurrency, 2, 10_000_000, 0), // leases live 10 s
    ];

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 1, TimeSpan.Zero));

    [Fact]
    public void Expired_state_is_swept_at_the_sweep_instant_and_not_before()
    {
        var store = new InProcessRateLimitStore(_time);
        Decide(store, Table, cost: 1, "a").Allowed.Should().BeTrue();
        Decide(store, Table, cost: 1, "b").Allowed.Should().BeTrue();
        store.Count.Should().Be(4, "two limits' states and two permit sets");

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(10));
        Decide(store, Table, cost: 0, leaseId: null).Allowed.Should().BeFalse("the 10 s leases still hold both permits");
        store.Count.Should().Be(4, "the next sweep is 10 s after the first decision: one microsecond early, nothing is swept");

        _time.Advance(TimeSpan.FromTicks(10));
        Decide(store, Table, cost: 0, leaseId: null).Allowed.Should().BeTrue();
        store.Count.Should().Be(0, "at the sweep every state and lease has expired, the 10 s ones at this very instant");
    }

    [Fact]
    public void A_permit_set_with_a_live_lease_is_kept_by_the_sweep()
    {
        var store = new InProcessRateLimitStore(_time);
        StoreLimit[] lease = [new(RateLimitAlgorithm.Concurrency, 2, 60_000_000, 0)];
        Decide(store, lease, cost: 1, "a").Allowed.Should().BeTrue();

        _time.Advance(TimeSpan.FromSeconds(10));
        var probe = Decide(store, lease, cost: 0, leaseId: null);

        probe.Results[0].Remaining.Should().Be(1);
        store.Count.Should().Be(1, "the lease lives 60 s");
    }

    [Fact]
    public void Concurrency_remaining_counts_the_permits_taken_and_a_rejection_takes_none()
    {
        var store = new InProcessRateLimitStore(_time);
        StoreLimit[] lease = [new(RateLimitAlgorithm.Concurrency, 3, 60_000_000, 0)];

        Decide(store, lease, cost: 1, "a").Results[0].Should().Be(new StoreLimitResult(true, 2, 0, 0));
        Decide(store, lease, cost: 3, "b").Results[0].Should().Be(new StoreLimitResult(false, 2, 0, 0), "3 of 3 do not fit beside the one held; 2 are still free");
    }

    [Fact]
    public async Task A_cancelled_decision_throws_and_takes_nothing()
    {
        var store = new InProcessRateLimitStore(_time);
        StoreLimit[] one = [new(RateLimitAlgorithm.Gcra, 1, 60_000_000, 0)];

        var cancelled = async () => await store.DecideAsync(new StoreRequest("api", "p", one, 1, null), new CancellationToken(canceled: true));

        await cancelled.Should().ThrowAsync<OperationCanceledException>();
        Decide(store, one, cost: 1, leaseId: null).Allowed.Should().BeTrue("the cancelled request took no permit");
    }

    [Fact]
    public void A_concurrency_limit_without_a_lease_id_is_a_programming_error()
    {
        var store = new InProcessRateLimitStore(_time);
        StoreLimit[] lease = [new(RateLimitAlgorithm.Concurrency, 1, 60_000_000, 0)];

        var decide = () => Decide(store, lease, cost: 1, leaseId: null);

        decide.Should().Throw<InvalidOperationException>().WithMessage("*lease id*");
    }

    [Fact]
    public void A_new_token_bucket_starts_full_whatever_its_refill_rate()
    {
        // One token a day: from the epoch to 2026 only ~20 000 tokens would have dripped into a bucket of a million.
        var store = new InProcessRateLimitStore(_time);
        StoreLimit[] slow = [new(RateLimitAlgorithm.TokenBucket, 1_000_000, 86_400_000_000, 1)];

        Decide(store, slow, cost: 1, leaseId: null).Results[0].Should().Be(new StoreLimitResult(true, 999_999, 86_400_000_000, 0));
    }

    [Fact]
    public void A_sliding_window_request_larger_than_the_limit_is_told_to_retry_at_the_window_end()
    {
        // 2026-01-01T00:00:01Z is 1 s into a minute window; 5 permits never fit in 3, the retry is the window's end.
        var store = new InProcessRateLimitStore(_time);
        StoreLimit[] window = [new(RateLimitAlgorithm.SlidingWindow, 3, 60_000_000, 0)];

        Decide(store, window, cost: 5, leaseId: null).Results[0].Should().Be(new StoreLimitResult(false, 3, 59_000_000, 59_000_000));
    }

    private static StoreDecision Decide(InProcessRateLimitStore store, StoreLimit[] limits, int cost, string? leaseId)
    {
        store.TryDecide(new StoreRequest("api", "p", limits, cost, leaseId), out var decision).Should().BeTrue();
        return decision;
    }
}
