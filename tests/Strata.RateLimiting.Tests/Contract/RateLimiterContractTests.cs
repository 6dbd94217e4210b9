using System.Threading.RateLimiting;
using Microsoft.Extensions.Time.Testing;
using Strata.RateLimiting.Internal;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Tests.Contract;

/// <summary>
/// The contract every store passes (dotnet/runtime's BaseRateLimiterTests is the model): the
/// in-process store runs it in Strata.RateLimiting.Tests, the Redis store in
/// Strata.RateLimiting.Redis.Tests (this file is linked there). Time is moved with
/// <see cref="AdvanceAsync"/>: a FakeTimeProvider for the node, and for Redis an offset the script
/// adds to the server's TIME.
/// </summary>
public abstract class RateLimiterContractTests : IAsyncLifetime
{
    /// <summary>Every test starts one second after a day boundary, so windows up to a day are aligned the same way on every store.</summary>
    protected static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 1, TimeSpan.Zero);

    // Redis time moves on by itself during a test (milliseconds, more on a loaded machine); durations
    // are compared with this tolerance, and the tests' periods are long enough that it never changes a count.
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

    private static int s_policies;

    private RateLimitRuntime? _runtime;

    protected FakeTimeProvider Time { get; } = new(Start);

    internal RateLimitRuntime Runtime => _runtime ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        var store = await CreateStoreAsync();
        _runtime = new RateLimitRuntime(store, new DistributedStoreSettings { FailureThreshold = 3, BreakDuration = TimeSpan.FromSeconds(5) }, Time);
    }

    public virtual Task DisposeAsync()
    {
        _runtime?.Dispose();
        return Task.CompletedTask;
    }

    internal abstract Task<IRateLimitStore> CreateStoreAsync();

    /// <summary>Moves time forward for the node and the store.</summary>
    protected virtual Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        return Task.CompletedTask;
    }

    /// <summary>A limiter that fails closed, so a store error can never pass for a decision.</summary>
    internal RateLimiter Limiter(RateLimitRule rule, string partition = "p", Action<RateLimitPolicyOptions>? configure = null, string? policy = null) =>
        new StoreRateLimiter(Runtime, RateLimiterFactory.Define(policy ?? NewPolicyName(), rule, o =>
        {
            o.FailureMode = RateLimitFailureMode.FailClosed;
            configure?.Invoke(o);
        }, null), partition);

    internal static string NewPolicyName() => "policy" + Interlocked.Increment(ref s_policies);

    private static async Task<int> AcquireMany(RateLimiter limiter, int count)
    {
        var admitted = 0;
        for (var i = 0; i < count; i++)
        {
            using var lease = await limiter.AcquireAsync(1);
            ((StoreLease)lease).Decision.Source.Should().NotBe(DecisionSource.FailClosed, "every decision comes from the store");
            if (lease.IsAcquired)
            {
                admitted++;
            }
        }

        return admitted;
    }

    [Fact]
    public async Task Gcra_admits_the_limit_as_a_burst_then_rejects_with_retry_after_of_one_interval()
    {
        using var limiter = Limiter(RateLimitRule.Gcra(10, TimeSpan.FromMinutes(1)));

        (await AcquireMany(limiter, 10)).Should().Be(10);
        using var rejected = await limiter.AcquireAsync(1);

        rejected.IsAcquired.Should().BeFalse();
        rejected.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter).Should().BeTrue();
        retryAfter.Should().BeCloseTo(TimeSpan.FromSeconds(6), Tolerance);
        retryAfter.Should().BeLessThanOrEqualTo(TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Gcra_gives_back_one_permit_per_interval()
    {
        using var limiter = Limiter(RateLimitRule.Gcra(10, TimeSpan.FromMinutes(1)));
        await AcquireMany(limiter, 10);

        await AdvanceAsync(TimeSpan.FromSeconds(6));

        (await AcquireMany(limiter, 3)).Should().Be(1);
    }

    [Fact]
    public async Task Permit_count_is_the_cost_of_a_request()
    {
        using var limiter = Limiter(RateLimitRule.Gcra(10, TimeSpan.FromMinutes(1)));

        using (var big = await limiter.AcquireAsync(7))
        {
            big.IsAcquired.Should().BeTrue();
            big.TryGetMetadata(RateLimitMetadataNames.Remaining, out var remaining).Should().BeTrue();
            remaining.Should().Be(3);
        }

        using var tooBig = await limiter.AcquireAsync(4);
        tooBig.IsAcquired.Should().BeFalse();
        using var fits = await limiter.AcquireAsync(3);
        fits.IsAcquired.Should().BeTrue();
    }

    [Fact]
    public async Task A_permit_count_above_the_limit_throws_naming_the_policy()
    {
        using var limiter = Limiter(RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1)), policy: "small");

        var act = async () => await limiter.AcquireAsync(6);

        (await act.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().Contain("'small'");
    }

    [Fact]
    public async Task Zero_permits_asks_without_taking()
    {
        using var limiter = Limiter(RateLimitRule.FixedWindow(2, TimeSpan.FromMinutes(1)));

        using (var probe = await limiter.AcquireAsync(0))
        {
            probe.IsAcquired.Should().BeTrue();
        }

        (await AcquireMany(limiter, 3)).Should().Be(2);
        using var after = await limiter.AcquireAsync(0);
        after.IsAcquired.Should().BeFalse();
    }

    [Fact]
    public async Task Token_bucket_starts_full_and_refills_at_its_rate()
    {
        using var limiter = Limiter(RateLimitRule.TokenBucket(4, 2, TimeSpan.FromSeconds(10)));

        (await AcquireMany(limiter, 6)).Should().Be(4);
        using (var rejected = await limiter.AcquireAsync(1))
        {
            rejected.TryGetMetadata(MetadataName.RetryAfter, out var retry).Should().BeTrue();
            retry.Should().BeCloseTo(TimeSpan.FromSeconds(5), Tolerance);
        }

        await AdvanceAsync(TimeSpan.FromSeconds(10));
        (await AcquireMany(limiter, 4)).Should().Be(2);
    }

    [Fact]
    public async Task Fixed_window_rejects_until_the_window_ends_then_starts_over()
    {
        using var limiter = Limiter(RateLimitRule.FixedWindow(3, TimeSpan.FromMinutes(1)));

        (await AcquireMany(limiter, 5)).Should().Be(3);
        using (var rejected = await limiter.AcquireAsync(1))
        {
            rejected.TryGetMetadata(MetadataName.RetryAfter, out var retry).Should().BeTrue();
            retry.Should().BeCloseTo(TimeSpan.FromSeconds(59), Tolerance);
        }

        await AdvanceAsync(TimeSpan.FromSeconds(59));
        (await AcquireMany(limiter, 5)).Should().Be(3);
    }

    [Fact]
    public async Task Sliding_window_counts_the_previous_window_by_its_overlap()
    {
        using var limiter = Limiter(RateLimitRule.SlidingWindow(10, TimeSpan.FromMinutes(1)));
        (await AcquireMany(limiter, 10)).Should().Be(10);

        // 59 s later a new window starts; one second into it, the previous window weighs 59/60 (9.83 of 10).
        await AdvanceAsync(TimeSpan.FromSeconds(60));
        (await AcquireMany(limiter, 3)).Should().Be(0);

        // Half-way through, the previous window weighs 5: five more fit.
        await AdvanceAsync(TimeSpan.FromSeconds(29));
        (await AcquireMany(limiter, 8)).Should().Be(5);
    }

    [Fact]
    public async Task Sliding_window_retry_after_is_when_the_request_fits_again()
    {
        using var limiter = Limiter(RateLimitRule.SlidingWindow(10, TimeSpan.FromMinutes(1)));
        await AcquireMany(limiter, 10);
        await AdvanceAsync(TimeSpan.FromSeconds(60));

        using var rejected = await limiter.AcquireAsync(1);
        rejected.TryGetMetadata(MetadataName.RetryAfter, out var retry).Should().BeTrue();

        // At 00:01:01 the previous window (10) weighs 59/60; one permit fits once it weighs 9, at 00:01:06.
        retry.Should().BeCloseTo(TimeSpan.FromSeconds(5), Tolerance);
        await AdvanceAsync(retry);
        (await AcquireMany(limiter, 2)).Should().Be(1);
    }

    [Fact]
    public async Task Concurrency_permits_come_back_when_leases_are_disposed()
    {
        using var limiter = Limiter(RateLimitRule.Concurrency(2, TimeSpan.FromMinutes(5)));

        var first = await limiter.AcquireAsync(1);
        var second = await limiter.AcquireAsync(1);
        using (var third = await limiter.AcquireAsync(1))
        {
            third.IsAcquired.Should().BeFalse();
        }

        first.Dispose();
        await WaitForReleaseAsync(limiter);
        using var again = await limiter.AcquireAsync(1);
        again.IsAcquired.Should().BeTrue();
        second.Dispose();
    }

    [Fact]
    public async Task Concurrency_permits_never_released_expire_after_their_lifetime()
    {
        using var limiter = Limiter(RateLimitRule.Concurrency(1, TimeSpan.FromSeconds(30)));

        var leaked = await limiter.AcquireAsync(1);
        leaked.IsAcquired.Should().BeTrue();
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeFalse();

        await AdvanceAsync(TimeSpan.FromSeconds(31));

        using var after = await limiter.AcquireAsync(1);
        after.IsAcquired.Should().BeTrue();
        GC.KeepAlive(leaked);
    }

    [Fact]
    public async Task Several_limits_are_all_or_nothing()
    {
        // A burst limit of 5 per minute and a quota of 3 per day: the quota rejects the 4th request,
        // and because nothing is counted on rejection the burst limit still has 2 left.
        var burstPolicy = NewPolicyName();
        using var limiter = Limiter(RateLimitRule.FixedWindow(5, TimeSpan.FromMinutes(1)), configure: o =>
            o.AdditionalRules.Add(RateLimitRule.FixedWindow(3, TimeSpan.FromDays(1)).WithName("daily")), policy: burstPolicy);

        (await AcquireMany(limiter, 3)).Should().Be(3);
        using (var rejected = await limiter.AcquireAsync(1))
        {
            rejected.IsAcquired.Should().BeFalse();
            var decision = ((StoreLease)rejected).Decision;
            decision.Results[0].Allowed.Should().BeTrue("the burst limit alone would admit it");
            decision.Results[0].Remaining.Should().Be(2, "a rejected request counts against no limit");
            decision.Results[1].Allowed.Should().BeFalse();
        }

        using var again = await limiter.AcquireAsync(1);
        ((StoreLease)again).Decision.Results[0].Remaining.Should().Be(2);
    }

    [Fact]
    public async Task Leases_carry_limit_remaining_and_reset()
    {
        using var limiter = Limiter(RateLimitRule.FixedWindow(10, TimeSpan.FromMinutes(1)));

        using var lease = await limiter.AcquireAsync(4);

        lease.TryGetMetadata(RateLimitMetadataNames.Limit, out var limit).Should().BeTrue();
        lease.TryGetMetadata(RateLimitMetadataNames.Remaining, out var remaining).Should().BeTrue();
        lease.TryGetMetadata(RateLimitMetadataNames.Reset, out var reset).Should().BeTrue();
        limit.Should().Be(10);
        remaining.Should().Be(6);
        reset.Should().BeCloseTo(TimeSpan.FromSeconds(59), Tolerance);
        lease.TryGetMetadata(MetadataName.RetryAfter, out _).Should().BeFalse("only rejections carry Retry-After");
    }

    [Fact]
    public async Task Limiter_instances_of_one_policy_and_partition_share_one_limit()
    {
        var policy = NewPolicyName();
        using var one = Limiter(RateLimitRule.Gcra(4, TimeSpan.FromMinutes(1)), policy: policy);
        using var two = Limiter(RateLimitRule.Gcra(4, TimeSpan.FromMinutes(1)), policy: policy);

        (await AcquireMany(one, 3)).Should().Be(3);

        (await AcquireMany(two, 3)).Should().Be(1);
    }

    [Fact]
    public async Task Partitions_have_limits_of_their_own()
    {
        var policy = NewPolicyName();
        using var alice = Limiter(RateLimitRule.Gcra(2, TimeSpan.FromMinutes(1)), "alice", policy: policy);
        using var bob = Limiter(RateLimitRule.Gcra(2, TimeSpan.FromMinutes(1)), "bob", policy: policy);

        (await AcquireMany(alice, 3)).Should().Be(2);

        (await AcquireMany(bob, 3)).Should().Be(2);
    }

    public static TheoryData<string> AwkwardPartitions => new()
    {
        string.Empty,
        new string('k', 10 * 1024),
        "ключ-🔑-鍵",
        "{tenant}:a:b}{",
        "a:b:c",
        "#hashed-looking",
        "\u0000\r\n\t",
    };

    [Theory]
    [MemberData(nameof(AwkwardPartitions))]
    public async Task Awkward_partition_keys_are_limited_like_any_other(string partition)
    {
        var policy = NewPolicyName();
        using var limiter = Limiter(RateLimitRule.Gcra(2, TimeSpan.FromMinutes(1)), partition, policy: policy);
        using var neighbour = Limiter(RateLimitRule.Gcra(2, TimeSpan.FromMinutes(1)), partition + "-other", policy: policy);

        (await AcquireMany(limiter, 3)).Should().Be(2);
        (await AcquireMany(neighbour, 1)).Should().Be(1);
    }

    [Fact]
    public async Task Shadow_mode_admits_what_the_limit_rejects()
    {
        using var limiter = Limiter(RateLimitRule.FixedWindow(2, TimeSpan.FromMinutes(1)), configure: o => o.ShadowMode = true);

        (await AcquireMany(limiter, 5)).Should().Be(5);
        using var lease = await limiter.AcquireAsync(1);
        ((StoreLease)lease).Decision.ShadowRejected.Should().BeTrue();
    }

    [Fact]
    public async Task Statistics_count_leases_and_remember_the_last_remaining()
    {
        using var limiter = Limiter(RateLimitRule.FixedWindow(3, TimeSpan.FromMinutes(1)));

        await AcquireMany(limiter, 5);

        var statistics = limiter.GetStatistics()!;
        statistics.TotalSuccessfulLeases.Should().Be(3);
        statistics.TotalFailedLeases.Should().Be(2);
        statistics.CurrentAvailablePermits.Should().Be(0);
        statistics.CurrentQueuedCount.Should().Be(0);
    }

    /// <summary>Releases to a distributed store are sent without waiting; give them a moment.</summary>
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
