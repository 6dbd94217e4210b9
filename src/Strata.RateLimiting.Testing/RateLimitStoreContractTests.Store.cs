using System.Collections.Concurrent;
using Strata.RateLimiting.Store;
using Xunit;

namespace Strata.RateLimiting.Testing;

/// <summary>
/// The store asked directly, as the runtime asks it: each algorithm's answers are the in-process store's (the
/// permits exactly, the times within a tolerance for a store whose clock moves on by itself), all limits of a request
/// are charged together or not at all, cost 0 peeks, concurrency permits are given back, and concurrent callers are
/// admitted exactly up to the limit.
/// </summary>
public abstract partial class RateLimitStoreContractTests
{
    private readonly ConcurrentDictionary<string, PartitionSlot> _slots = new(StringComparer.Ordinal);

    /// <summary>GCRA at the store: a burst of the limit, one interval between permits after it.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Store_gcra_decides_like_the_in_process_store()
    {
        var policy = NewPolicyName();
        StoreLimit[] gcra = [StoreLimit.From(RateLimitRule.Gcra(10, TimeSpan.FromMinutes(1)))];

        for (var i = 1; i <= 10; i++)
        {
            var admitted = await DecideAsync(policy, "p", gcra);
            AssertResult(admitted, allowed: true, remaining: 10 - i, reset: TimeSpan.FromSeconds(6 * i), retry: TimeSpan.Zero, $"request {i}");
        }

        var rejected = await DecideAsync(policy, "p", gcra);
        AssertResult(rejected, allowed: false, remaining: 0, reset: TimeSpan.FromMinutes(1), retry: TimeSpan.FromSeconds(6), "request 11");

        await AdvanceAsync(TimeSpan.FromSeconds(6));
        AssertResult(await DecideAsync(policy, "p", gcra), allowed: true, remaining: 0, reset: TimeSpan.FromMinutes(1), retry: TimeSpan.Zero, "one interval later");
        AssertResult(await DecideAsync(policy, "p", gcra), allowed: false, remaining: 0, reset: TimeSpan.FromMinutes(1), retry: TimeSpan.FromSeconds(6), "the next one");
    }

    /// <summary>Token bucket at the store: starts full, refills at its rate.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Store_token_bucket_decides_like_the_in_process_store()
    {
        var policy = NewPolicyName();
        StoreLimit[] bucket = [StoreLimit.From(RateLimitRule.TokenBucket(4, 2, TimeSpan.FromSeconds(10)))];

        for (var i = 1; i <= 4; i++)
        {
            // Two tokens per 10 s: each token taken is 5 s more until the bucket is full.
            AssertResult(await DecideAsync(policy, "p", bucket), allowed: true, remaining: 4 - i, reset: TimeSpan.FromSeconds(5 * i), retry: TimeSpan.Zero, $"request {i}");
        }

        AssertResult(await DecideAsync(policy, "p", bucket), allowed: false, remaining: 0, reset: TimeSpan.FromSeconds(20), retry: TimeSpan.FromSeconds(5), "request 5");

        await AdvanceAsync(TimeSpan.FromSeconds(10));
        AssertResult(await DecideAsync(policy, "p", bucket), allowed: true, remaining: 1, reset: TimeSpan.FromSeconds(15), retry: TimeSpan.Zero, "10 s later");
        AssertResult(await DecideAsync(policy, "p", bucket), allowed: true, remaining: 0, reset: TimeSpan.FromSeconds(20), retry: TimeSpan.Zero, "the second refilled token");
        AssertResult(await DecideAsync(policy, "p", bucket), allowed: false, remaining: 0, reset: TimeSpan.FromSeconds(20), retry: TimeSpan.FromSeconds(5), "the bucket empty again");
    }

    /// <summary>Fixed window at the store: aligned to the epoch, counts from zero in the next window.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Store_fixed_window_decides_like_the_in_process_store()
    {
        var policy = NewPolicyName();
        StoreLimit[] window = [StoreLimit.From(RateLimitRule.FixedWindow(3, TimeSpan.FromMinutes(1)))];

        for (var i = 1; i <= 3; i++)
        {
            AssertResult(await DecideAsync(policy, "p", window), allowed: true, remaining: 3 - i, reset: TimeSpan.FromSeconds(59), retry: TimeSpan.Zero, $"request {i}");
        }

        AssertResult(await DecideAsync(policy, "p", window), allowed: false, remaining: 0, reset: TimeSpan.FromSeconds(59), retry: TimeSpan.FromSeconds(59), "request 4");

        await AdvanceAsync(TimeSpan.FromSeconds(59));
        AssertResult(await DecideAsync(policy, "p", window), allowed: true, remaining: 2, reset: TimeSpan.FromMinutes(1), retry: TimeSpan.Zero, "the next window");
    }

    /// <summary>Sliding window at the store: the previous window weighs by its overlap, in permits and in the retry time.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Store_sliding_window_decides_like_the_in_process_store()
    {
        var policy = NewPolicyName();
        StoreLimit[] sliding = [StoreLimit.From(RateLimitRule.SlidingWindow(10, TimeSpan.FromMinutes(1)))];

        for (var i = 1; i <= 10; i++)
        {
            AssertResult(await DecideAsync(policy, "p", sliding), allowed: true, remaining: 10 - i, reset: TimeSpan.FromSeconds(59), retry: TimeSpan.Zero, $"request {i}");
        }

        // At 00:01:01 the previous window weighs 59/60 of 10; one permit fits at 00:01:06.
        await AdvanceAsync(TimeSpan.FromSeconds(60));
        AssertResult(await DecideAsync(policy, "p", sliding), allowed: false, remaining: 0, reset: TimeSpan.FromSeconds(59), retry: TimeSpan.FromSeconds(5), "one second into the next window");

        // At 00:01:30 it weighs 5: five permits, then none.
        await AdvanceAsync(TimeSpan.FromSeconds(29));
        for (var i = 1; i <= 5; i++)
        {
            AssertResult(await DecideAsync(policy, "p", sliding), allowed: true, remaining: 5 - i, reset: TimeSpan.FromSeconds(30), retry: TimeSpan.Zero, $"half-way, request {i}");
        }

        var full = await DecideAsync(policy, "p", sliding);
        Assert.False(full.Allowed, "half-way, request 6");
        Assert.Equal(0, full.Results[0].Remaining);
    }

    /// <summary>A token bucket is full when first used, however slowly it refills (not what would have dripped in since the epoch).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Store_token_bucket_with_a_slow_refill_starts_full()
    {
        var policy = NewPolicyName();
        StoreLimit[] slow = [StoreLimit.From(RateLimitRule.TokenBucket(1_000_000, 1, TimeSpan.FromDays(1)))];

        AssertResult(await DecideAsync(policy, "p", slow), allowed: true, remaining: 999_999, reset: TimeSpan.FromDays(1), retry: TimeSpan.Zero, "the first request");
    }

    /// <summary>A sliding window request for more permits than the limit is rejected with a finite retry: the window's end.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Store_sliding_window_request_above_the_limit_retries_at_the_window_end()
    {
        var policy = NewPolicyName();
        StoreLimit[] sliding = [StoreLimit.From(RateLimitRule.SlidingWindow(3, TimeSpan.FromMinutes(1)))];

        AssertResult(await DecideAsync(policy, "p", sliding, cost: 5), allowed: false, remaining: 3, reset: TimeSpan.FromSeconds(59), retry: TimeSpan.FromSeconds(59), "5 permits of 3");
    }

    /// <summary>Every limit of a request is charged together, or none is.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Store_charges_all_limits_of_a_request_or_none()
    {
        // A burst limit of 5 per minute and a quota of 3 per day: the quota rejects the 4th request, and because
        // nothing is counted on rejection the burst limit still has 2 left.
        var policy = NewPolicyName();
        StoreLimit[] limits =
        [
            StoreLimit.From(RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1))),
            StoreLimit.From(RateLimitRule.FixedWindow(3, TimeSpan.FromDays(1))),
        ];

        for (var i = 1; i <= 3; i++)
        {
            var admitted = await DecideAsync(policy, "p", limits);
            Assert.True(admitted.Allowed, $"request {i}");
            Assert.Equal(2, admitted.Results.Length);
            Assert.Equal(5 - i, admitted.Results[0].Remaining);
            Assert.Equal(3 - i, admitted.Results[1].Remaining);
        }

        for (var i = 4; i <= 5; i++)
        {
            var rejected = await DecideAsync(policy, "p", limits);
            Assert.False(rejected.Allowed, $"request {i}");
            Assert.True(rejected.Results[0].Allowed, "the burst limit alone would admit it");
            Assert.Equal(2, rejected.Results[0].Remaining);
            Assert.False(rejected.Results[1].Allowed, "the daily quota is spent");
            Assert.Equal(0, rejected.Results[1].Remaining);
            AssertCloseMicros(TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1), rejected.RetryMicros, "retry (the longest wait among the rejecting limits)");
        }

        // The burst limit alone, under another policy, never saw those requests: it starts full.
        var alone = await DecideAsync(NewPolicyName(), "p", [limits[0]]);
        Assert.Equal(4, alone.Results[0].Remaining);
    }

    /// <summary>Cost 0 answers whether a permit is free, and takes none.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Store_cost_zero_peeks_without_taking()
    {
        var policy = NewPolicyName();
        StoreLimit[] window = [StoreLimit.From(RateLimitRule.FixedWindow(2, TimeSpan.FromMinutes(1)))];

        for (var i = 0; i < 3; i++)
        {
            var peek = await DecideAsync(policy, "p", window, cost: 0);
            Assert.True(peek.Allowed, $"peek {i + 1}");
            Assert.Equal(2, peek.Results[0].Remaining);
        }

        Assert.True((await DecideAsync(policy, "p", window)).Allowed, "the first permit");
        Assert.True((await DecideAsync(policy, "p", window)).Allowed, "the second permit");
        var empty = await DecideAsync(policy, "p", window, cost: 0);
        Assert.False(empty.Allowed, "a peek when no permit is left");
        Assert.Equal(0, empty.Results[0].Remaining);
        Assert.False((await DecideAsync(policy, "p", window)).Allowed, "the third permit");
    }

    /// <summary>A concurrency permit is held until released; releasing it twice frees one permit only.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Store_concurrency_permit_is_held_until_released_and_released_once()
    {
        var policy = NewPolicyName();
        StoreLimit[] concurrency = [StoreLimit.From(RateLimitRule.Concurrency(2, TimeSpan.FromMinutes(5)))];

        var first = Request(policy, "p", concurrency, 1, "lease-1");
        Assert.True((await DecideAsync(first)).Allowed, "the first permit");
        Assert.True((await DecideAsync(Request(policy, "p", concurrency, 1, "lease-2"))).Allowed, "the second permit");
        var third = await DecideAsync(Request(policy, "p", concurrency, 1, "lease-3"));
        Assert.False(third.Allowed, "a third permit while two are held");
        Assert.Equal(0, third.Results[0].Remaining);

        await Store.ReleaseAsync(first);
        await Store.ReleaseAsync(first);

        Assert.True((await DecideAsync(Request(policy, "p", concurrency, 1, "lease-4"))).Allowed, "the permit given back");
        Assert.False((await DecideAsync(Request(policy, "p", concurrency, 1, "lease-5"))).Allowed, "a second release of one permit gives back nothing more");
    }

    /// <summary>A concurrency permit never released expires after its lifetime.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Store_concurrency_permit_never_released_expires_after_its_lifetime()
    {
        var policy = NewPolicyName();
        StoreLimit[] concurrency = [StoreLimit.From(RateLimitRule.Concurrency(1, TimeSpan.FromSeconds(30)))];

        Assert.True((await DecideAsync(Request(policy, "p", concurrency, 1, "leaked"))).Allowed, "the permit");
        Assert.False((await DecideAsync(Request(policy, "p", concurrency, 1, "second"))).Allowed, "while it is held");

        await AdvanceAsync(TimeSpan.FromSeconds(31));

        Assert.True((await DecideAsync(Request(policy, "p", concurrency, 1, "after"))).Allowed, "after its lifetime");
    }

    /// <summary>State is kept per policy and partition: spending one leaves the others whole.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Store_partitions_and_policies_are_independent()
    {
        var policy = NewPolicyName();
        var other = NewPolicyName();
        StoreLimit[] gcra = [StoreLimit.From(RateLimitRule.Gcra(2, TimeSpan.FromMinutes(1)))];

        Assert.True((await DecideAsync(policy, "alice", gcra)).Allowed);
        Assert.True((await DecideAsync(policy, "alice", gcra)).Allowed);
        Assert.False((await DecideAsync(policy, "alice", gcra)).Allowed, "alice has spent her limit");

        var bob = await DecideAsync(policy, "bob", gcra);
        Assert.True(bob.Allowed, "bob has a limit of his own");
        Assert.Equal(1, bob.Results[0].Remaining);
        var elsewhere = await DecideAsync(other, "alice", gcra);
        Assert.True(elsewhere.Allowed, "alice has a limit of her own under another policy");
        Assert.Equal(1, elsewhere.Results[0].Remaining);
    }

    /// <summary>Many callers at once on one partition are admitted exactly up to the limit, never more.</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData(RateLimitAlgorithm.Gcra)]
    [InlineData(RateLimitAlgorithm.TokenBucket)]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    [InlineData(RateLimitAlgorithm.Concurrency)]
    public async Task Store_admits_concurrent_callers_exactly_up_to_the_limit(RateLimitAlgorithm algorithm)
    {
        // A day-long period: no permit comes back while the callers run, however slow the machine.
        var rule = algorithm switch
        {
            RateLimitAlgorithm.Gcra => RateLimitRule.Gcra(50, TimeSpan.FromDays(1)),
            RateLimitAlgorithm.TokenBucket => RateLimitRule.TokenBucket(50, 1, TimeSpan.FromDays(1)),
            RateLimitAlgorithm.FixedWindow => RateLimitRule.FixedWindow(50, TimeSpan.FromDays(1)),
            RateLimitAlgorithm.SlidingWindow => RateLimitRule.SlidingWindow(50, TimeSpan.FromDays(1)),
            _ => RateLimitRule.Concurrency(50, TimeSpan.FromDays(1)),
        };
        var policy = NewPolicyName();
        StoreLimit[] limits = [StoreLimit.From(rule)];
        var admitted = 0;
        var callers = Enumerable.Range(0, 8).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                var leaseId = algorithm == RateLimitAlgorithm.Concurrency ? $"lease-{caller}-{i}" : null;
                if ((await DecideAsync(Request(policy, "hot", limits, 1, leaseId))).Allowed)
                {
                    Interlocked.Increment(ref admitted);
                }
            }
        }));

        await Task.WhenAll(callers);

        Assert.Equal(50, admitted);
    }

    private StoreRequest Request(string policy, string partition, StoreLimit[] limits, int cost = 1, string? leaseId = null) =>
        new(policy, partition, limits, cost, leaseId, _slots.GetOrAdd(policy + "\n" + partition, _ => new PartitionSlot()));

    private Task<StoreDecision> DecideAsync(string policy, string partition, StoreLimit[] limits, int cost = 1) =>
        DecideAsync(Request(policy, partition, limits, cost));

    /// <summary>Asks the store as the runtime does: at once when it can (<see cref="IRateLimitStore.TryDecide"/>), else asynchronously.</summary>
    private async Task<StoreDecision> DecideAsync(StoreRequest request)
    {
        var decision = Store.TryDecide(request, out var now) ? now : await Store.DecideAsync(request, CancellationToken.None);
        Assert.Equal(request.Limits.Length, decision.Results.Length);
        Assert.Equal(decision.Results.All(r => r.Allowed), decision.Allowed);
        return decision;
    }

    private static void AssertResult(StoreDecision decision, bool allowed, long remaining, TimeSpan reset, TimeSpan retry, string what)
    {
        var result = Assert.Single(decision.Results);
        Assert.True(decision.Allowed == allowed, $"{what}: allowed should be {allowed}");
        Assert.True(result.Remaining == remaining, $"{what}: remaining should be {remaining}, was {result.Remaining}");
        AssertCloseMicros(reset, result.ResetMicros, $"{what}: reset");
        AssertCloseMicros(retry, result.RetryMicros, $"{what}: retry");
    }
}
