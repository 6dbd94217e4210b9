using Microsoft.AspNetCore.RateLimiting;

namespace Strata.RateLimiting.Tests;

/// <summary>A bad policy argument fails when the policies are added (at start), naming the policy, the setting and its valid range.</summary>
public sealed class ValidationTests
{
    public static TheoryData<string, Action<RateLimiterOptions>, string, string> BadArguments => new()
    {
        { "limit", o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 0, period: TimeSpan.FromMinutes(1)), "limit must be at least 1, but was 0", "per-key" },
        { "period", o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 10, period: TimeSpan.Zero), "period must be at least 1 ms, but was 00:00:00", "per-key" },
        { "period", o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 10, period: TimeSpan.FromSeconds(-1)), "period must be at least 1 ms, but was -00:00:01", "per-key" },
        { "tokenLimit", o => o.AddTokenBucketPolicy("uploads", RatePartition.ByUser, tokenLimit: -5, tokensPerPeriod: 1, period: TimeSpan.FromSeconds(1)), "tokenLimit must be at least 1, but was -5", "uploads" },
        { "tokensPerPeriod", o => o.AddTokenBucketPolicy("uploads", RatePartition.ByUser, tokenLimit: 5, tokensPerPeriod: 0, period: TimeSpan.FromSeconds(1)), "tokensPerPeriod must be at least 1, but was 0", "uploads" },
        { "window", o => o.AddFixedWindowPolicy("login", RatePartition.ByClientAddress, limit: 5, window: TimeSpan.Zero), "window must be at least 1 ms", "login" },
        { "limit", o => o.AddSlidingWindowPolicy("search", RatePartition.ByRoute, limit: 0, window: TimeSpan.FromMinutes(1)), "limit must be at least 1, but was 0", "search" },
        { "permitLifetime", o => o.AddConcurrencyPolicy("reports", RatePartition.ByApiKey, limit: 2, permitLifetime: TimeSpan.FromTicks(1)), "permitLifetime must be at least 1 ms", "reports" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void A_bad_argument_fails_with_a_message_naming_the_policy_the_setting_and_the_range(string setting, Action<RateLimiterOptions> add, string rule, string policy)
    {
        var act = () => add(new RateLimiterOptions());

        var error = act.Should().Throw<ArgumentOutOfRangeException>().Which;
        error.ParamName.Should().Be(setting);
        error.Message.Should().Contain($"Rate-limit policy '{policy}': ").And.Contain(rule);
    }

    [Theory]
    [InlineData("")]
    [InlineData("per key")]
    public void An_empty_or_invalid_policy_name_fails_naming_the_rule_for_names(string name)
    {
        var act = () => new RateLimiterOptions().AddGcraPolicy(name, RatePartition.ByApiKey, limit: 0, period: TimeSpan.Zero);

        var error = act.Should().Throw<ArgumentException>().Which;
        error.ParamName.Should().Be("policyName");
        error.Message.Should().Contain("must be 1 to 64 characters of ASCII letters, digits, '-', '_' or '.'").And.Contain($"but was '{name}'");
    }

    [Fact]
    public void A_policy_name_added_twice_fails_naming_the_policy()
    {
        var options = new RateLimiterOptions().AddGcraPolicy("per-key", RatePartition.ByApiKey, 10, TimeSpan.FromMinutes(1));

        var act = () => options.AddFixedWindowPolicy("per-key", RatePartition.ByUser, 5, TimeSpan.FromMinutes(1));

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("Rate-limit policy 'per-key' is added twice");
    }

    [Fact]
    public void A_missing_partition_fails_naming_the_policy()
    {
        var act = () => new RateLimiterOptions().AddGcraPolicy("per-key", null!, 10, TimeSpan.FromMinutes(1));

        act.Should().Throw<ArgumentNullException>().Which.Message.Should().Contain("Rate-limit policy 'per-key' needs a partition");
    }

    [Fact]
    public async Task A_bad_limit_stops_the_host_at_start_not_at_the_first_request()
    {
        var act = async () => await TestHost.StartAsync(o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 0, period: TimeSpan.FromMinutes(1)));

        (await act.Should().ThrowAsync<ArgumentOutOfRangeException>())
            .Which.Message.Should().Contain("Rate-limit policy 'per-key': limit must be at least 1, but was 0");
    }

    [Fact]
    public void A_rule_made_on_its_own_names_the_setting_and_the_range()
    {
        var act = () => RateLimitRule.FixedWindow(10_000, TimeSpan.FromMilliseconds(0.5));

        act.Should().Throw<ArgumentOutOfRangeException>().Which.Message.Should().StartWith("window must be at least 1 ms, but was 00:00:00.0005000");
    }
}
