using Strata.RateLimiting.Store;
using Xunit;

namespace Strata.RateLimiting.Testing;

/// <summary>
/// The figures of a rejection, which a client reads from <c>Retry-After</c> and the rate-limit headers: for each
/// algorithm, the remaining count, the reset and the retry time at several points inside the window, then the
/// admission at the exact instant the retry time promised. Each algorithm runs alone and beside a second, loose limit
/// (a Redis store answers the two with different scripts). A store on <see cref="Time"/> must give the figures
/// exactly; a store on a clock of its own may give times earlier by no more than its clock has run ahead
/// (<see cref="StoreClockDriftAsync"/>).
/// </summary>
public abstract partial class RateLimitStoreContractTests
{
    /// <summary>
    /// How far the store's own clock has run ahead of <see cref="Time"/> since the store was made: zero for a store on
    /// <see cref="Time"/>. A store on a clock of its own (Redis TIME) overrides this to read that clock.
    /// </summary>
    /// <returns>The drift, never negative.</returns>
    protected virtual Task<TimeSpan> StoreClockDriftAsync() => Task.FromResult(TimeSpan.Zero);

    /// <summary>GCRA: a rejection reports the permits left, when the limit is whole again, and when the request fits.</summary>
    /// <param name="besideALooseLimit">Whether the request also carries a limit that never rejects.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rejected_gcra_request_reports_exact_retry_after_reset_and_remaining(bool besideALooseLimit)
    {
        // 10 per minute: one permit every 6 s. Eight taken at 00:00:01 put the arrival time 48 s ahead.
        var policy = NewPolicyName();
        var limits = Limits(RateLimitRule.Gcra(10, TimeSpan.FromMinutes(1)), besideALooseLimit);
        Assert.True((await DecideAsync(policy, "p", limits, cost: 8)).Allowed, "eight permits at once");

        // Five more need the arrival time at 60 - 30 = 30 s ahead: 18 s from now. (60 - 48) / 6 = 2 permits are left.
        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 5), 2, TimeSpan.FromSeconds(48), TimeSpan.FromSeconds(18), "at once");

        await AdvanceAsync(TimeSpan.FromSeconds(5));
        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 5), 2, TimeSpan.FromSeconds(43), TimeSpan.FromSeconds(13), "5 s later ((60 - 43) / 6 = 2.8 permits)");

        await AdvanceAsync(TimeSpan.FromSeconds(9));
        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 5), 4, TimeSpan.FromSeconds(34), TimeSpan.FromSeconds(4), "14 s later ((60 - 34) / 6 = 4.3 permits)");

        await AdvanceAsync(TimeSpan.FromSeconds(4));
        var admitted = await DecideAsync(policy, "p", limits, cost: 5);
        Assert.True(admitted.Allowed, "the five permits at the instant the retry time named");
        Assert.Equal(0, admitted.Results[0].Remaining);
    }

    /// <summary>GCRA after the period was shortened: the arrival time lies beyond the new period, and no permit is left (not a negative count).</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Rejected_gcra_request_after_a_shorter_period_reports_none_remaining_not_a_negative_count()
    {
        var policy = NewPolicyName();
        StoreLimit[] minute = [StoreLimit.From(RateLimitRule.Gcra(10, TimeSpan.FromMinutes(1)))];
        Assert.True((await DecideAsync(policy, "p", minute, cost: 10)).Allowed, "the whole minute's permits");

        // The same policy reloaded with 10 per 30 s (3 s apart): the arrival time is still 60 s ahead; one more
        // permit needs it at 27 s ahead, 33 s from now.
        StoreLimit[] halfMinute = [StoreLimit.From(RateLimitRule.Gcra(10, TimeSpan.FromSeconds(30)))];
        await AssertRejectedAsync(await DecideAsync(policy, "p", halfMinute), 0, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(33), "after the reload");
    }

    /// <summary>Token bucket: a rejection reports the whole tokens held, the time until the bucket is full and until the request fits.</summary>
    /// <param name="besideALooseLimit">Whether the request also carries a limit that never rejects.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rejected_token_bucket_request_reports_exact_retry_after_reset_and_remaining(bool besideALooseLimit)
    {
        // Ten tokens, two more every 10 s (one every 5 s). Nine taken leave one.
        var policy = NewPolicyName();
        var limits = Limits(RateLimitRule.TokenBucket(10, 2, TimeSpan.FromSeconds(10)), besideALooseLimit);
        Assert.True((await DecideAsync(policy, "p", limits, cost: 9)).Allowed, "nine tokens at once");

        // Four tokens need three more: 15 s. Full again after nine more: 45 s.
        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 4), 1, TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(15), "at once");

        await AdvanceAsync(TimeSpan.FromSeconds(2.5));
        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 4), 1, TimeSpan.FromSeconds(42.5), TimeSpan.FromSeconds(12.5), "2.5 s later (1.5 tokens)");

        await AdvanceAsync(TimeSpan.FromSeconds(4));
        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 4), 2, TimeSpan.FromSeconds(38.5), TimeSpan.FromSeconds(8.5), "6.5 s later (2.3 tokens)");

        await AdvanceAsync(TimeSpan.FromSeconds(8.5));
        var admitted = await DecideAsync(policy, "p", limits, cost: 4);
        Assert.True(admitted.Allowed, "the four tokens at the instant the retry time named");
        Assert.Equal(0, admitted.Results[0].Remaining);
    }

    /// <summary>Fixed window: a rejection reports the permits left and the end of the window, as reset and as retry.</summary>
    /// <param name="besideALooseLimit">Whether the request also carries a limit that never rejects.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rejected_fixed_window_request_reports_exact_retry_after_reset_and_remaining(bool besideALooseLimit)
    {
        // 10 a minute; the window ends at 00:01:00, 59 s after the start.
        var policy = NewPolicyName();
        var limits = Limits(RateLimitRule.FixedWindow(10, TimeSpan.FromMinutes(1)), besideALooseLimit);
        Assert.True((await DecideAsync(policy, "p", limits, cost: 7)).Allowed, "seven permits at once");

        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 5), 3, TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(59), "at once");

        await AdvanceAsync(TimeSpan.FromSeconds(20));
        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 5), 3, TimeSpan.FromSeconds(39), TimeSpan.FromSeconds(39), "20 s later");

        await AdvanceAsync(TimeSpan.FromSeconds(38.5));
        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 5), 3, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(0.5), "half a second before the window ends");

        await AdvanceAsync(TimeSpan.FromSeconds(0.5));
        var admitted = await DecideAsync(policy, "p", limits, cost: 5);
        Assert.True(admitted.Allowed, "the five permits in the next window");
        Assert.Equal(5, admitted.Results[0].Remaining);
    }

    /// <summary>
    /// Sliding window, a request that fits later in this window: the retry time is when enough of the previous
    /// window has slid out.
    /// </summary>
    /// <param name="besideALooseLimit">Whether the request also carries a limit that never rejects.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rejected_sliding_window_request_reports_exact_retry_after_reset_and_remaining(bool besideALooseLimit)
    {
        // 10 a minute. Eight in the first minute's window, two at 00:01:01 (8 x 59/60 + 2 = 9.87 counted).
        var policy = NewPolicyName();
        var limits = Limits(RateLimitRule.SlidingWindow(10, TimeSpan.FromMinutes(1)), besideALooseLimit);
        Assert.True((await DecideAsync(policy, "p", limits, cost: 8)).Allowed, "eight permits at 00:00:01");
        await AdvanceAsync(TimeSpan.FromSeconds(60));
        Assert.True((await DecideAsync(policy, "p", limits, cost: 2)).Allowed, "two permits at 00:01:01");

        // Three more fit once the previous window weighs 10 - 2 - 3 = 5 of its 8: at 3/8 of the window, 00:01:22.5.
        await AdvanceAsync(TimeSpan.FromSeconds(14));
        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 3), 2, TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(7.5), "at 00:01:15 (8 x 45/60 + 2 = 8 counted)");

        await AdvanceAsync(TimeSpan.FromSeconds(5));
        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 3), 2, TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(2.5), "at 00:01:20 (8 x 40/60 + 2 = 7.3 counted)");

        await AdvanceAsync(TimeSpan.FromSeconds(2.5));
        var admitted = await DecideAsync(policy, "p", limits, cost: 3);
        Assert.True(admitted.Allowed, "the three permits at the instant the retry time named");
        Assert.Equal(0, admitted.Results[0].Remaining);
    }

    /// <summary>
    /// Sliding window, a request that does not fit in this window at all: the retry time reaches into the next window,
    /// where this window's count weighs less as it slides out.
    /// </summary>
    /// <param name="besideALooseLimit">Whether the request also carries a limit that never rejects.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rejected_sliding_window_request_that_needs_the_next_window_reports_exact_figures(bool besideALooseLimit)
    {
        // Six of 10 at 00:00:01; five more never fit in this window. In the next one they fit once the six weigh
        // 10 - 5 = 5: 1/6 of the way in, 10 s after 00:01:00, 69 s from now.
        var policy = NewPolicyName();
        var limits = Limits(RateLimitRule.SlidingWindow(10, TimeSpan.FromMinutes(1)), besideALooseLimit);
        Assert.True((await DecideAsync(policy, "p", limits, cost: 6)).Allowed, "six permits at once");

        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 5), 4, TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(69), "at once");

        await AdvanceAsync(TimeSpan.FromSeconds(30));
        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 5), 4, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(39), "30 s later");

        await AdvanceAsync(TimeSpan.FromSeconds(39));
        var admitted = await DecideAsync(policy, "p", limits, cost: 5);
        Assert.True(admitted.Allowed, "the five permits at the instant the retry time named");
        Assert.Equal(0, admitted.Results[0].Remaining);
    }

    /// <summary>
    /// Sliding window, a request too large for what this window has left while the previous window still weighs: it
    /// waits for this window's count to slide out in the next window, not for the previous window's.
    /// </summary>
    /// <param name="besideALooseLimit">Whether the request also carries a limit that never rejects.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rejected_sliding_window_request_larger_than_this_window_has_left_waits_for_the_next_window(bool besideALooseLimit)
    {
        // Eight of 10 at 00:00:01. At 00:01:30 they weigh 4; five more are admitted (9 counted).
        var policy = NewPolicyName();
        var limits = Limits(RateLimitRule.SlidingWindow(10, TimeSpan.FromMinutes(1)), besideALooseLimit);
        Assert.True((await DecideAsync(policy, "p", limits, cost: 8)).Allowed, "eight permits at 00:00:01");
        await AdvanceAsync(TimeSpan.FromSeconds(89));
        Assert.True((await DecideAsync(policy, "p", limits, cost: 5)).Allowed, "five permits at 00:01:30");

        // Six more never fit beside this window's five (11 > 10), however far the eight slide out. In the next
        // window they fit once the five weigh 10 - 6 = 4: 1/5 of the way in, 12 s after 00:02:00, 42 s from now.
        await AssertRejectedAsync(await DecideAsync(policy, "p", limits, cost: 6), 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(42), "at 00:01:30");

        await AdvanceAsync(TimeSpan.FromSeconds(42));
        var admitted = await DecideAsync(policy, "p", limits, cost: 6);
        Assert.True(admitted.Allowed, "the six permits at the instant the retry time named");
        Assert.Equal(0, admitted.Results[0].Remaining);
    }

    /// <summary>Fixed and sliding windows after the limit was lowered below the count: none remaining, not a negative count.</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <returns>A task.</returns>
    [Theory]
    [InlineData(RateLimitAlgorithm.FixedWindow)]
    [InlineData(RateLimitAlgorithm.SlidingWindow)]
    public async Task Rejected_request_after_a_lower_limit_reports_none_remaining_not_a_negative_count(RateLimitAlgorithm algorithm)
    {
        var policy = NewPolicyName();
        Func<int, RateLimitRule> rule = algorithm == RateLimitAlgorithm.FixedWindow
            ? limit => RateLimitRule.FixedWindow(limit, TimeSpan.FromMinutes(1))
            : limit => RateLimitRule.SlidingWindow(limit, TimeSpan.FromMinutes(1));
        Assert.True((await DecideAsync(policy, "p", [StoreLimit.From(rule(10))], cost: 8)).Allowed, "eight of 10");

        // Reloaded with 5 a minute, the eight counted stay. The fixed window waits for its end; the sliding window
        // until the eight weigh 5 - 1 = 4 in the next window: half-way, 30 s after the end.
        var retry = algorithm == RateLimitAlgorithm.FixedWindow ? TimeSpan.FromSeconds(59) : TimeSpan.FromSeconds(89);
        await AssertRejectedAsync(await DecideAsync(policy, "p", [StoreLimit.From(rule(5))]), 0, TimeSpan.FromSeconds(59), retry, "after the reload");
    }

    private static StoreLimit[] Limits(RateLimitRule rule, bool besideALooseLimit) => besideALooseLimit
        ? [StoreLimit.From(rule), StoreLimit.From(RateLimitRule.FixedWindow(1000, TimeSpan.FromDays(1)))]
        : [StoreLimit.From(rule)];

    /// <summary>
    /// The first limit rejected the request with these figures (the second, if any, admitted it). Times are exact on a
    /// store on <see cref="Time"/>; on a store with a clock of its own they may be earlier by up to its drift.
    /// </summary>
    private async Task AssertRejectedAsync(StoreDecision decision, long remaining, TimeSpan reset, TimeSpan retry, string what)
    {
        var drift = await StoreClockDriftAsync();
        Assert.True(!decision.Allowed, $"{what}: the request should be rejected");
        var result = decision.Results[0];
        Assert.True(!result.Allowed, $"{what}: the limit should reject it");
        if (decision.Results.Length > 1)
        {
            Assert.True(decision.Results[1].Allowed, $"{what}: the loose limit should admit it");
        }

        Assert.True(result.Remaining == remaining, $"{what}: remaining should be {remaining}, was {result.Remaining}");
        AssertAtMostDriftEarlier(reset, result.ResetMicros, drift, $"{what}: reset");
        AssertAtMostDriftEarlier(retry, result.RetryMicros, drift, $"{what}: retry");
        AssertAtMostDriftEarlier(retry, decision.RetryMicros, drift, $"{what}: the decision's retry");
    }

    private static void AssertAtMostDriftEarlier(TimeSpan expected, long actualMicros, TimeSpan drift, string what)
    {
        var actual = TimeSpan.FromTicks(actualMicros * 10);
        Assert.True(
            actual <= expected && actual >= expected - drift,
            drift == TimeSpan.Zero
                ? $"{what}: expected exactly {expected}, was {actual}"
                : $"{what}: expected {expected}, or earlier by at most the store's clock drift {drift}; was {actual}");
    }
}
