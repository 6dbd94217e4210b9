using System.Threading.RateLimiting;
using Xunit;

namespace Strata.RateLimiting.Testing;

/// <summary>The store through Strata's limiters (<see cref="IRateLimiterFactory"/>): what an application sees.</summary>
public abstract partial class RateLimitStoreContractTests
{
    /// <summary>Partition keys a store must keep apart and limit like any other: empty, 10 KiB, non-ASCII, braces, separators, control characters.</summary>
    /// <remarks>Plain rows rather than <c>TheoryData</c>, whose constructor differs between the xunit releases an author may run.</remarks>
    public static IEnumerable<object[]> AwkwardPartitions =>
    [
        [string.Empty],
        [new string('k', 10 * 1024)],
        ["ключ-🔑-鍵"],
        ["{tenant}:a:b}{"],
        ["a:b:c"],
        ["#hashed-looking"],
        ["\u0000\r\n\t"],
    ];

    /// <summary>GCRA admits its limit as a burst, then rejects with a Retry-After of one interval.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Gcra_admits_the_limit_as_a_burst_then_rejects_with_retry_after_of_one_interval()
    {
        using var limiter = Limiter(RateLimitRule.Gcra(10, TimeSpan.FromMinutes(1)));

        Assert.Equal(10, await AcquireManyAsync(limiter, 10));
        using var rejected = await limiter.AcquireAsync(1);

        Assert.False(rejected.IsAcquired);
        Assert.True(rejected.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter), "a rejection carries Retry-After");
        AssertClose(TimeSpan.FromSeconds(6), retryAfter, "Retry-After");
        Assert.True(retryAfter <= TimeSpan.FromSeconds(6), $"Retry-After {retryAfter} is longer than one interval");
    }

    /// <summary>GCRA gives back one permit per interval.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Gcra_gives_back_one_permit_per_interval()
    {
        using var limiter = Limiter(RateLimitRule.Gcra(10, TimeSpan.FromMinutes(1)));
        Assert.Equal(10, await AcquireManyAsync(limiter, 10));

        await AdvanceAsync(TimeSpan.FromSeconds(6));

        Assert.Equal(1, await AcquireManyAsync(limiter, 3));
    }

    /// <summary>A permit count is taken as the request's cost.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Permit_count_is_the_cost_of_a_request()
    {
        using var limiter = Limiter(RateLimitRule.Gcra(10, TimeSpan.FromMinutes(1)));

        using (var big = await limiter.AcquireAsync(7))
        {
            Assert.True(big.IsAcquired);
            Assert.True(big.TryGetMetadata(RateLimitMetadataNames.Remaining, out var remaining), "an admission carries the permits left");
            Assert.Equal(3, remaining);
        }

        using var tooBig = await limiter.AcquireAsync(4);
        Assert.False(tooBig.IsAcquired);
        using var fits = await limiter.AcquireAsync(3);
        Assert.True(fits.IsAcquired);
    }

    /// <summary>Asking for more permits than the limit is a programming error that names the policy.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task A_permit_count_above_the_limit_throws_naming_the_policy()
    {
        using var limiter = Limiter(RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1)), policy: "small");

        var thrown = await Assert.ThrowsAnyAsync<ArgumentOutOfRangeException>(async () => await limiter.AcquireAsync(6));

        Assert.Contains("'small'", thrown.Message, StringComparison.Ordinal);
    }

    /// <summary>Zero permits asks whether one is available, without taking it.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Zero_permits_asks_without_taking()
    {
        using var limiter = Limiter(RateLimitRule.FixedWindow(2, TimeSpan.FromMinutes(1)));

        using (var probe = await limiter.AcquireAsync(0))
        {
            Assert.True(probe.IsAcquired);
        }

        Assert.Equal(2, await AcquireManyAsync(limiter, 3));
        using var after = await limiter.AcquireAsync(0);
        Assert.False(after.IsAcquired);
    }

    /// <summary>A token bucket starts full and refills at its rate.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Token_bucket_starts_full_and_refills_at_its_rate()
    {
        using var limiter = Limiter(RateLimitRule.TokenBucket(4, 2, TimeSpan.FromSeconds(10)));

        Assert.Equal(4, await AcquireManyAsync(limiter, 6));
        using (var rejected = await limiter.AcquireAsync(1))
        {
            Assert.True(rejected.TryGetMetadata(MetadataName.RetryAfter, out var retry), "a rejection carries Retry-After");
            AssertClose(TimeSpan.FromSeconds(5), retry, "Retry-After");
        }

        await AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, await AcquireManyAsync(limiter, 4));
    }

    /// <summary>A fixed window rejects until it ends, then counts from zero.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Fixed_window_rejects_until_the_window_ends_then_starts_over()
    {
        using var limiter = Limiter(RateLimitRule.FixedWindow(3, TimeSpan.FromMinutes(1)));

        Assert.Equal(3, await AcquireManyAsync(limiter, 5));
        using (var rejected = await limiter.AcquireAsync(1))
        {
            Assert.True(rejected.TryGetMetadata(MetadataName.RetryAfter, out var retry), "a rejection carries Retry-After");
            AssertClose(TimeSpan.FromSeconds(59), retry, "Retry-After");
        }

        await AdvanceAsync(TimeSpan.FromSeconds(59));
        Assert.Equal(3, await AcquireManyAsync(limiter, 5));
    }

    /// <summary>A sliding window weighs the previous window by how much of it still overlaps.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Sliding_window_counts_the_previous_window_by_its_overlap()
    {
        using var limiter = Limiter(RateLimitRule.SlidingWindow(10, TimeSpan.FromMinutes(1)));
        Assert.Equal(10, await AcquireManyAsync(limiter, 10));

        // 59 s later a new window starts; one second into it, the previous window weighs 59/60 (9.83 of 10).
        await AdvanceAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, await AcquireManyAsync(limiter, 3));

        // Half-way through, the previous window weighs 5: five more fit.
        await AdvanceAsync(TimeSpan.FromSeconds(29));
        Assert.Equal(5, await AcquireManyAsync(limiter, 8));
    }

    /// <summary>A sliding window's Retry-After is when the request fits again.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Sliding_window_retry_after_is_when_the_request_fits_again()
    {
        using var limiter = Limiter(RateLimitRule.SlidingWindow(10, TimeSpan.FromMinutes(1)));
        Assert.Equal(10, await AcquireManyAsync(limiter, 10));
        await AdvanceAsync(TimeSpan.FromSeconds(60));

        using var rejected = await limiter.AcquireAsync(1);
        Assert.True(rejected.TryGetMetadata(MetadataName.RetryAfter, out var retry), "a rejection carries Retry-After");

        // At 00:01:01 the previous window (10) weighs 59/60; one permit fits once it weighs 9, at 00:01:06.
        AssertClose(TimeSpan.FromSeconds(5), retry, "Retry-After");
        await AdvanceAsync(retry);
        Assert.Equal(1, await AcquireManyAsync(limiter, 2));
    }

    /// <summary>Concurrency permits come back when their leases are disposed.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Concurrency_permits_come_back_when_leases_are_disposed()
    {
        using var limiter = Limiter(RateLimitRule.Concurrency(2, TimeSpan.FromMinutes(5)));

        var first = await limiter.AcquireAsync(1);
        var second = await limiter.AcquireAsync(1);
        Assert.True(first.IsAcquired);
        Assert.True(second.IsAcquired);
        using (var third = await limiter.AcquireAsync(1))
        {
            Assert.False(third.IsAcquired);
        }

        first.Dispose();
        await WaitForReleaseAsync(limiter);
        using var again = await limiter.AcquireAsync(1);
        Assert.True(again.IsAcquired);
        second.Dispose();
    }

    /// <summary>A concurrency permit never given back expires after its lifetime.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Concurrency_permits_never_released_expire_after_their_lifetime()
    {
        using var limiter = Limiter(RateLimitRule.Concurrency(1, TimeSpan.FromSeconds(30)));

        var leaked = await limiter.AcquireAsync(1);
        Assert.True(leaked.IsAcquired);
        using (var held = await limiter.AcquireAsync(1))
        {
            Assert.False(held.IsAcquired);
        }

        await AdvanceAsync(TimeSpan.FromSeconds(31));

        using var after = await limiter.AcquireAsync(1);
        Assert.True(after.IsAcquired);
        GC.KeepAlive(leaked);
    }

    /// <summary>A policy of several limits admits a request only when all admit it.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Several_limits_are_all_or_nothing()
    {
        // A burst limit of 5 per minute and a quota of 3 per day: the quota rejects the 4th request, and because
        // nothing is counted on rejection the burst limit still has 2 left (the store-level test reads both results).
        using var limiter = Limiter(RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1)), configure: o =>
            o.AdditionalRules.Add(RateLimitRule.FixedWindow(3, TimeSpan.FromDays(1)).WithName("daily")));

        Assert.Equal(3, await AcquireManyAsync(limiter, 3));
        using (var rejected = await limiter.AcquireAsync(1))
        {
            Assert.False(rejected.IsAcquired);
            Assert.True(rejected.TryGetMetadata(RateLimitMetadataNames.RejectionReason, out var reason), "a rejection carries its reason");
            Assert.Equal(RateLimitRejectionReasons.QuotaExceeded, reason);
        }

        // A minute later the burst window is new, the daily quota is still spent.
        await AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await AcquireManyAsync(limiter, 2));
    }

    /// <summary>An admission says the limit, the permits left and when the limit is full again.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Leases_carry_limit_remaining_and_reset()
    {
        using var limiter = Limiter(RateLimitRule.FixedWindow(10, TimeSpan.FromMinutes(1)));

        using var lease = await limiter.AcquireAsync(4);

        Assert.True(lease.TryGetMetadata(RateLimitMetadataNames.Limit, out var limit), "an admission carries the limit");
        Assert.True(lease.TryGetMetadata(RateLimitMetadataNames.Remaining, out var remaining), "an admission carries the permits left");
        Assert.True(lease.TryGetMetadata(RateLimitMetadataNames.Reset, out var reset), "an admission carries the reset");
        Assert.Equal(10, limit);
        Assert.Equal(6, remaining);
        AssertClose(TimeSpan.FromSeconds(59), reset, "reset");
        Assert.False(lease.TryGetMetadata(MetadataName.RetryAfter, out _), "only rejections carry Retry-After");
    }

    /// <summary>Limiters of one policy and partition share one limit.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Limiter_instances_of_one_policy_and_partition_share_one_limit()
    {
        var policy = NewPolicyName();
        using var one = Limiter(RateLimitRule.Gcra(4, TimeSpan.FromMinutes(1)), policy: policy);
        using var two = Limiter(RateLimitRule.Gcra(4, TimeSpan.FromMinutes(1)), policy: policy);

        Assert.Equal(3, await AcquireManyAsync(one, 3));

        Assert.Equal(1, await AcquireManyAsync(two, 3));
    }

    /// <summary>Each partition has a limit of its own.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Partitions_have_limits_of_their_own()
    {
        var policy = NewPolicyName();
        using var alice = Limiter(RateLimitRule.Gcra(2, TimeSpan.FromMinutes(1)), "alice", policy: policy);
        using var bob = Limiter(RateLimitRule.Gcra(2, TimeSpan.FromMinutes(1)), "bob", policy: policy);

        Assert.Equal(2, await AcquireManyAsync(alice, 3));

        Assert.Equal(2, await AcquireManyAsync(bob, 3));
    }

    /// <summary>An awkward partition key is limited, and kept apart from its neighbour.</summary>
    /// <param name="partition">The key.</param>
    /// <returns>A task.</returns>
    [Theory]
    [MemberData(nameof(AwkwardPartitions))]
    public async Task Awkward_partition_keys_are_limited_like_any_other(string partition)
    {
        var policy = NewPolicyName();
        using var limiter = Limiter(RateLimitRule.Gcra(2, TimeSpan.FromMinutes(1)), partition, policy: policy);
        using var neighbour = Limiter(RateLimitRule.Gcra(2, TimeSpan.FromMinutes(1)), partition + "-other", policy: policy);

        Assert.Equal(2, await AcquireManyAsync(limiter, 3));
        Assert.Equal(1, await AcquireManyAsync(neighbour, 1));
    }

    /// <summary>Shadow mode admits what the limit rejects, and logs each such request.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Shadow_mode_admits_what_the_limit_rejects()
    {
        using var limiter = Limiter(RateLimitRule.FixedWindow(2, TimeSpan.FromMinutes(1)), configure: o => o.ShadowMode = true);

        Assert.Equal(5, await AcquireManyAsync(limiter, 5));
        using var lease = await limiter.AcquireAsync(1);

        Assert.True(lease.IsAcquired);
        Assert.Equal(4, _log.EventNames.Count(n => n == "ShadowRejected"));
    }

    /// <summary>Statistics count this limiter's leases and remember the permits left at its last decision.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Statistics_count_leases_and_remember_the_last_remaining()
    {
        using var limiter = Limiter(RateLimitRule.FixedWindow(3, TimeSpan.FromMinutes(1)));

        Assert.Equal(3, await AcquireManyAsync(limiter, 5));

        var statistics = limiter.GetStatistics();
        Assert.NotNull(statistics);
        Assert.Equal(3, statistics!.TotalSuccessfulLeases);
        Assert.Equal(2, statistics.TotalFailedLeases);
        Assert.Equal(0, statistics.CurrentAvailablePermits);
        Assert.Equal(0, statistics.CurrentQueuedCount);
    }

    /// <summary>Acquires one permit <paramref name="count"/> times; every answer must come from the store (a fail-closed rejection names the store as its reason).</summary>
    private static async Task<int> AcquireManyAsync(RateLimiter limiter, int count)
    {
        var admitted = 0;
        for (var i = 0; i < count; i++)
        {
            using var lease = await limiter.AcquireAsync(1);
            if (lease.IsAcquired)
            {
                admitted++;
            }
            else
            {
                Assert.True(lease.TryGetMetadata(RateLimitMetadataNames.RejectionReason, out var reason), "a rejection carries its reason");
                Assert.Equal(RateLimitRejectionReasons.QuotaExceeded, reason);
            }
        }

        return admitted;
    }

    /// <summary>Releases to a distributed store are sent without waiting: polls until a permit is free again (at most 1 s; the next assertion fails if it never is).</summary>
    private static async Task WaitForReleaseAsync(RateLimiter limiter)
    {
        for (var i = 0; i < 100; i++)
        {
            using var probe = await limiter.AcquireAsync(0);
            if (probe.IsAcquired)
            {
                return;
            }

            await Task.Delay(10);
        }
    }
}
