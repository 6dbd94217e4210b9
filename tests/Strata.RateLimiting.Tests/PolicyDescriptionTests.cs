using Microsoft.AspNetCore.RateLimiting;

namespace Strata.RateLimiting.Tests;

/// <summary><c>FindStrataPolicy</c>: what documentation generators read back about a policy.</summary>
public sealed class PolicyDescriptionTests
{
    [Fact]
    public void Strata_policy_is_found_with_its_rules_rule_names_failure_mode_and_partition()
    {
        var options = new RateLimiterOptions()
            .AddGcraPolicy("per-key", RatePartition.ByApiKey, 100, TimeSpan.FromMinutes(1), policy =>
            {
                policy.FailureMode = RateLimitFailureMode.FailClosed;
                policy.AdditionalRules.Add(RateLimitRule.FixedWindow(10_000, TimeSpan.FromDays(1)));
                policy.TierSelector = _ => "pro";
            });

        var policy = options.FindStrataPolicy("per-key");

        policy.Should().NotBeNull();
        policy!.Name.Should().Be("per-key");
        policy.Rules.Select(r => (r.Algorithm, r.Limit)).Should().Equal((RateLimitAlgorithm.Gcra, 100), (RateLimitAlgorithm.FixedWindow, 10_000));
        policy.RuleNames.Should().Equal("per-key", "per-key-2");
        policy.FailureMode.Should().Be(RateLimitFailureMode.FailClosed);
        policy.ShadowMode.Should().BeFalse();
        policy.HasTiers.Should().BeTrue();
        policy.Partition.Should().Be("claim:" + RatePartition.ApiKeyIdClaimType);
    }

    [Fact]
    public void Unknown_and_non_Strata_policies_and_options_without_Strata_policies_give_null()
    {
        var options = new RateLimiterOptions().AddFixedWindowLimiter("builtin", o =>
        {
            o.PermitLimit = 1;
            o.Window = TimeSpan.FromSeconds(1);
        });

        options.FindStrataPolicy("builtin").Should().BeNull();
        options.AddGcraPolicy("strata", RatePartition.Global, 1, TimeSpan.FromSeconds(1));
        options.FindStrataPolicy("builtin").Should().BeNull();
        options.FindStrataPolicy("other").Should().BeNull();
        options.FindStrataPolicy("strata").Should().NotBeNull();
    }
}
