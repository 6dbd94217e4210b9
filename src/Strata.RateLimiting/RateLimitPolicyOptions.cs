using Microsoft.AspNetCore.Http;

namespace Strata.RateLimiting;

/// <summary>Options of one Strata rate-limiting policy, given to <c>AddGcraPolicy</c> and the other <c>Add...Policy</c> methods.</summary>
public sealed class RateLimitPolicyOptions
{
    /// <summary>What the policy does when its store cannot decide.</summary>
    /// <value>Default: <see cref="RateLimitFailureMode.FallbackToLocal"/>.</value>
    public RateLimitFailureMode FailureMode { get; set; } = RateLimitFailureMode.FallbackToLocal;

    /// <summary>Shadow mode: decide, count and log, but never reject (no 429, no rate-limit headers); for dark-launching a limit.</summary>
    /// <value>Default: false.</value>
    public bool ShadowMode { get; set; }

    /// <summary>
    /// More limits decided together with the policy's own, all or nothing (for example a daily quota
    /// beside a per-second burst limit). Give each a name with <see cref="RateLimitRule.WithName"/> for the headers.
    /// </summary>
    /// <value>Default: empty.</value>
    public IList<RateLimitRule> AdditionalRules { get; } = [];

    /// <summary>
    /// Picks the plan tier of a request (for example from a claim); the limit of the tier comes from
    /// <see cref="StrataRateLimitingOptions.Policies"/> and reloads with configuration.
    /// </summary>
    /// <value>Default: null (no tiers).</value>
    public Func<HttpContext, string?>? TierSelector { get; set; }
}
