using Strata.RateLimiting.Internal;

namespace Strata.RateLimiting;

/// <summary>
/// What a Strata policy added with <c>AddGcraPolicy</c> (or another <c>Add...Policy</c>) is, read back from
/// <see cref="Microsoft.AspNetCore.RateLimiting.StrataRateLimiterOptionsExtensions.FindStrataPolicy"/>: for documentation
/// generators (Strata.RateLimiting.OpenApi, a Swashbuckle filter) and diagnostics pages. A copy; changing the
/// policy is not possible through it.
/// </summary>
public sealed class RateLimitPolicyDescription
{
    internal RateLimitPolicyDescription(PolicyDefinition definition)
    {
        Name = definition.Name;
        Rules = definition.Rules;
        FailureMode = definition.FailureMode;
        ShadowMode = definition.ShadowMode;
        HasTiers = definition.TierSelector is not null;
        Partition = definition.Partition?.Description ?? "custom";
        RuleNames = [.. definition.Rules.Select((rule, i) => rule.Name ?? (i == 0 ? definition.Name : definition.Name + "-" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)))];
    }

    /// <summary>The policy name given to <c>RequireRateLimiting</c>.</summary>
    public string Name { get; }

    /// <summary>The policy's limits, decided together: its own rule first, then <see cref="RateLimitPolicyOptions.AdditionalRules"/>.</summary>
    public IReadOnlyList<RateLimitRule> Rules { get; }

    /// <summary>
    /// The name of each rule in <see cref="Rules"/> as the <c>RateLimit-Policy</c> header and the 429 body's
    /// <c>violated-policies</c> show it: the rule's own name, else the policy name for the first and
    /// <c>{policy}-{n}</c> for the n-th.
    /// </summary>
    public IReadOnlyList<string> RuleNames { get; }

    /// <summary>What the policy does when its store cannot decide (<see cref="RateLimitFailureMode.FailClosed"/> answers 503).</summary>
    public RateLimitFailureMode FailureMode { get; }

    /// <summary>True when the policy decides and counts but never rejects and writes no headers.</summary>
    public bool ShadowMode { get; }

    /// <summary>True when a <see cref="RateLimitPolicyOptions.TierSelector"/> picks the limits per request (from configuration).</summary>
    public bool HasTiers { get; }

    /// <summary>How requests are partitioned, as <see cref="RatePartition.Description"/> says it (for example <c>"api-key"</c>).</summary>
    public string Partition { get; }
}
