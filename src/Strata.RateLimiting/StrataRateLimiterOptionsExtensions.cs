using Strata.RateLimiting;
using Strata.RateLimiting.Internal;

namespace Microsoft.AspNetCore.RateLimiting;

/// <summary>
/// Adds Strata policies to ASP.NET Core's <see cref="RateLimiterOptions"/>. Endpoints use them with
/// <c>RequireRateLimiting(name)</c> as usual. State lives in this process unless
/// <c>AddRedisRateLimiting</c> moved it to Redis. Rejections answer 429 with a ProblemDetails body.
/// </summary>
public static class StrataRateLimiterOptionsExtensions
{
    /// <summary>Adds a GCRA policy (the default algorithm): <paramref name="limit"/> requests per <paramref name="period"/> per partition, evenly spaced, bursts up to <paramref name="limit"/>.</summary>
    /// <param name="options">The rate-limiter options.</param>
    /// <param name="policyName">The policy name for <c>RequireRateLimiting</c>; ASCII letters, digits, '-', '_' and '.'.</param>
    /// <param name="partition">How requests are partitioned, for example <see cref="RatePartition.ByApiKey"/>.</param>
    /// <param name="limit">Requests per period.</param>
    /// <param name="period">The period.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules, tiers.</param>
    public static RateLimiterOptions AddGcraPolicy(this RateLimiterOptions options, string policyName, RatePartition partition, int limit, TimeSpan period, Action<RateLimitPolicyOptions>? configure = null) =>
        options.AddStrataPolicy(policyName, partition, RateLimitRule.Gcra(limit, period), configure);

    /// <summary>Adds a token-bucket policy: buckets of <paramref name="tokenLimit"/> tokens refilled at <paramref name="tokensPerPeriod"/> per <paramref name="period"/>.</summary>
    /// <param name="options">The rate-limiter options.</param>
    /// <param name="policyName">The policy name for <c>RequireRateLimiting</c>.</param>
    /// <param name="partition">How requests are partitioned.</param>
    /// <param name="tokenLimit">The bucket size.</param>
    /// <param name="tokensPerPeriod">Tokens added per period.</param>
    /// <param name="period">The refill period.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules, tiers.</param>
    public static RateLimiterOptions AddTokenBucketPolicy(this RateLimiterOptions options, string policyName, RatePartition partition, int tokenLimit, int tokensPerPeriod, TimeSpan period, Action<RateLimitPolicyOptions>? configure = null) =>
        options.AddStrataPolicy(policyName, partition, RateLimitRule.TokenBucket(tokenLimit, tokensPerPeriod, period), configure);

    /// <summary>Adds a fixed-window policy: <paramref name="limit"/> requests per <paramref name="window"/> (windows aligned to the epoch).</summary>
    /// <param name="options">The rate-limiter options.</param>
    /// <param name="policyName">The policy name for <c>RequireRateLimiting</c>.</param>
    /// <param name="partition">How requests are partitioned.</param>
    /// <param name="limit">Requests per window.</param>
    /// <param name="window">The window.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules, tiers.</param>
    public static RateLimiterOptions AddFixedWindowPolicy(this RateLimiterOptions options, string policyName, RatePartition partition, int limit, TimeSpan window, Action<RateLimitPolicyOptions>? configure = null) =>
        options.AddStrataPolicy(policyName, partition, RateLimitRule.FixedWindow(limit, window), configure);

    /// <summary>Adds an approximated sliding-window policy: <paramref name="limit"/> requests in any <paramref name="window"/>, two counters per partition.</summary>
    /// <param name="options">The rate-limiter options.</param>
    /// <param name="policyName">The policy name for <c>RequireRateLimiting</c>.</param>
    /// <param name="partition">How requests are partitioned.</param>
    /// <param name="limit">Requests per window.</param>
    /// <param name="window">The window.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules, tiers.</param>
    public static RateLimiterOptions AddSlidingWindowPolicy(this RateLimiterOptions options, string policyName, RatePartition partition, int limit, TimeSpan window, Action<RateLimitPolicyOptions>? configure = null) =>
        options.AddStrataPolicy(policyName, partition, RateLimitRule.SlidingWindow(limit, window), configure);

    /// <summary>Adds a concurrency policy: at most <paramref name="limit"/> requests in flight per partition; a permit not released within <paramref name="permitLifetime"/> expires.</summary>
    /// <param name="options">The rate-limiter options.</param>
    /// <param name="policyName">The policy name for <c>RequireRateLimiting</c>.</param>
    /// <param name="partition">How requests are partitioned.</param>
    /// <param name="limit">Requests in flight.</param>
    /// <param name="permitLifetime">The longest a permit is held when its node never releases it (crash); longer than your slowest request.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules, tiers.</param>
    public static RateLimiterOptions AddConcurrencyPolicy(this RateLimiterOptions options, string policyName, RatePartition partition, int limit, TimeSpan permitLifetime, Action<RateLimitPolicyOptions>? configure = null) =>
        options.AddStrataPolicy(policyName, partition, RateLimitRule.Concurrency(limit, permitLifetime), configure);

    /// <summary>Adds a policy with any <see cref="RateLimitRule"/>; more rules go in <see cref="RateLimitPolicyOptions.AdditionalRules"/>.</summary>
    /// <param name="options">The rate-limiter options.</param>
    /// <param name="policyName">The policy name for <c>RequireRateLimiting</c>.</param>
    /// <param name="partition">How requests are partitioned.</param>
    /// <param name="rule">The policy's first limit.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules, tiers.</param>
    public static RateLimiterOptions AddStrataPolicy(this RateLimiterOptions options, string policyName, RatePartition partition, RateLimitRule rule, Action<RateLimitPolicyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(partition);
        var definition = RateLimiterFactory.Define(policyName, rule, configure, partition);
        options.AddPolicy(policyName, new StrataRateLimiterPolicy(definition));
        return options;
    }

    /// <summary>
    /// Answers every rejection of the middleware the Strata way, including those of
    /// <see cref="RateLimiterOptions.GlobalLimiter"/> and of non-Strata policies: 429 (503 when a Strata
    /// policy fails closed), <c>Retry-After</c> in whole seconds rounded up, and an RFC 9457 ProblemDetails
    /// body. Strata policies answer this way without it.
    /// </summary>
    /// <param name="options">The rate-limiter options.</param>
    public static RateLimiterOptions UseStrataRejectionResponse(this RateLimiterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.RejectionStatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status429TooManyRequests;
        options.OnRejected = RateLimitResponses.OnRejectedAsync;
        return options;
    }
}
