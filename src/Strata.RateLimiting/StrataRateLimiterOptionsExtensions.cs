using Strata.RateLimiting;
using Strata.RateLimiting.Internal;

namespace Microsoft.AspNetCore.RateLimiting;

/// <summary>
/// Adds Strata policies to ASP.NET Core's <see cref="RateLimiterOptions"/>. Endpoints use them with
/// <c>RequireRateLimiting(name)</c> as usual. State lives in this process unless
/// <c>AddStrataRateLimiting().UseRedis(...)</c> moved it to Redis. Rejections answer 429 with a ProblemDetails body.
/// </summary>
public static class StrataRateLimiterOptionsExtensions
{
    /// <summary>Adds a GCRA policy (the default algorithm): <paramref name="limit"/> requests per <paramref name="period"/> per partition, evenly spaced, bursts up to <paramref name="limit"/>.</summary>
    /// <param name="options">The rate-limiter options.</param>
    /// <param name="policyName">The policy name for <c>RequireRateLimiting</c>; ASCII letters, digits, '-', '_' and '.'.</param>
    /// <param name="partition">How requests are partitioned, for example <see cref="RatePartition.ByApiKey"/>.</param>
    /// <param name="limit">Requests per period; at least 1.</param>
    /// <param name="period">The period; at least 1 ms.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules, tiers.</param>
    public static RateLimiterOptions AddGcraPolicy(this RateLimiterOptions options, string policyName, RatePartition partition, int limit, TimeSpan period, Action<RateLimitPolicyOptions>? configure = null)
    {
        var name = Named(options, policyName);
        return options.AddStrataPolicy(name, partition, RateLimitRule.Gcra(RateLimitRule.CheckLimit(limit, nameof(limit), name), RateLimitRule.CheckPeriod(period, nameof(period), name)), configure);
    }

    /// <summary>Adds a token-bucket policy: buckets of <paramref name="tokenLimit"/> tokens refilled at <paramref name="tokensPerPeriod"/> per <paramref name="period"/>.</summary>
    /// <param name="options">The rate-limiter options.</param>
    /// <param name="policyName">The policy name for <c>RequireRateLimiting</c>: 1 to 64 ASCII letters, digits, '-', '_' and '.', unique.</param>
    /// <param name="partition">How requests are partitioned.</param>
    /// <param name="tokenLimit">The bucket size; at least 1.</param>
    /// <param name="tokensPerPeriod">Tokens added per period; at least 1.</param>
    /// <param name="period">The refill period; at least 1 ms.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules, tiers.</param>
    public static RateLimiterOptions AddTokenBucketPolicy(this RateLimiterOptions options, string policyName, RatePartition partition, int tokenLimit, int tokensPerPeriod, TimeSpan period, Action<RateLimitPolicyOptions>? configure = null)
    {
        var name = Named(options, policyName);
        return options.AddStrataPolicy(name, partition, RateLimitRule.TokenBucket(
            RateLimitRule.CheckLimit(tokenLimit, nameof(tokenLimit), name),
            RateLimitRule.CheckLimit(tokensPerPeriod, nameof(tokensPerPeriod), name),
            RateLimitRule.CheckPeriod(period, nameof(period), name)), configure);
    }

    /// <summary>Adds a fixed-window policy: <paramref name="limit"/> requests per <paramref name="window"/> (windows aligned to the epoch).</summary>
    /// <param name="options">The rate-limiter options.</param>
    /// <param name="policyName">The policy name for <c>RequireRateLimiting</c>: 1 to 64 ASCII letters, digits, '-', '_' and '.', unique.</param>
    /// <param name="partition">How requests are partitioned.</param>
    /// <param name="limit">Requests per window; at least 1.</param>
    /// <param name="window">The window; at least 1 ms.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules, tiers.</param>
    public static RateLimiterOptions AddFixedWindowPolicy(this RateLimiterOptions options, string policyName, RatePartition partition, int limit, TimeSpan window, Action<RateLimitPolicyOptions>? configure = null)
    {
        var name = Named(options, policyName);
        return options.AddStrataPolicy(name, partition, RateLimitRule.FixedWindow(RateLimitRule.CheckLimit(limit, nameof(limit), name), RateLimitRule.CheckPeriod(window, nameof(window), name)), configure);
    }

    /// <summary>Adds an approximated sliding-window policy: <paramref name="limit"/> requests in any <paramref name="window"/>, two counters per partition.</summary>
    /// <param name="options">The rate-limiter options.</param>
    /// <param name="policyName">The policy name for <c>RequireRateLimiting</c>: 1 to 64 ASCII letters, digits, '-', '_' and '.', unique.</param>
    /// <param name="partition">How requests are partitioned.</param>
    /// <param name="limit">Requests per window; at least 1.</param>
    /// <param name="window">The window; at least 1 ms.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules, tiers.</param>
    public static RateLimiterOptions AddSlidingWindowPolicy(this RateLimiterOptions options, string policyName, RatePartition partition, int limit, TimeSpan window, Action<RateLimitPolicyOptions>? configure = null)
    {
        var name = Named(options, policyName);
        return options.AddStrataPolicy(name, partition, RateLimitRule.SlidingWindow(RateLimitRule.CheckLimit(limit, nameof(limit), name), RateLimitRule.CheckPeriod(window, nameof(window), name)), configure);
    }

    /// <summary>Adds a concurrency policy: at most <paramref name="limit"/> requests in flight per partition; a permit not released within <paramref name="permitLifetime"/> expires.</summary>
    /// <param name="options">The rate-limiter options.</param>
    /// <param name="policyName">The policy name for <c>RequireRateLimiting</c>: 1 to 64 ASCII letters, digits, '-', '_' and '.', unique.</param>
    /// <param name="partition">How requests are partitioned.</param>
    /// <param name="limit">Requests in flight; at least 1.</param>
    /// <param name="permitLifetime">The longest a permit is held when its node never releases it (crash); longer than your slowest request; at least 1 ms.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules, tiers.</param>
    public static RateLimiterOptions AddConcurrencyPolicy(this RateLimiterOptions options, string policyName, RatePartition partition, int limit, TimeSpan permitLifetime, Action<RateLimitPolicyOptions>? configure = null)
    {
        var name = Named(options, policyName);
        return options.AddStrataPolicy(name, partition, RateLimitRule.Concurrency(RateLimitRule.CheckLimit(limit, nameof(limit), name), RateLimitRule.CheckPeriod(permitLifetime, nameof(permitLifetime), name)), configure);
    }

    /// <summary>Adds a policy with any <see cref="RateLimitRule"/>; more rules go in <see cref="RateLimitPolicyOptions.AdditionalRules"/>.</summary>
    /// <param name="options">The rate-limiter options.</param>
    /// <param name="policyName">The policy name for <c>RequireRateLimiting</c>: 1 to 64 ASCII letters, digits, '-', '_' and '.', unique.</param>
    /// <param name="partition">How requests are partitioned.</param>
    /// <param name="rule">The policy's first limit.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules, tiers.</param>
    public static RateLimiterOptions AddStrataPolicy(this RateLimiterOptions options, string policyName, RatePartition partition, RateLimitRule rule, Action<RateLimitPolicyOptions>? configure = null)
    {
        Named(options, policyName);
        if (partition is null)
        {
            throw new ArgumentNullException(nameof(partition), $"Rate-limit policy '{policyName}' needs a partition, for example RatePartition.ByApiKey.");
        }

        if (rule is null)
        {
            throw new ArgumentNullException(nameof(rule), $"Rate-limit policy '{policyName}' needs a rule, for example RateLimitRule.Gcra(100, TimeSpan.FromMinutes(1)).");
        }

        var definition = RateLimiterFactory.Define(policyName, rule, configure, partition);
        try
        {
            var host = HostRuntime.Of(options);
            options.AddPolicy(policyName, new StrataRateLimiterPolicy(definition, host));
            host.Register(definition);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException(
                $"Rate-limit policy '{policyName}' is added twice: policy names must be unique among all policies of AddRateLimiter, Strata's and others.",
                nameof(policyName),
                ex);
        }

        return options;
    }

    /// <summary>
    /// The Strata policy named <paramref name="policyName"/> (added with <c>AddGcraPolicy</c> or another
    /// <c>Add...Policy</c> of this class) as a description of its limits, failure mode and partitioning; null when these
    /// options hold no Strata policy of that name (none, or a policy of <c>AddPolicy</c> itself).
    /// </summary>
    /// <param name="options">The rate-limiter options.</param>
    /// <param name="policyName">The policy name.</param>
    /// <returns>The policy's description, or null.</returns>
    public static RateLimitPolicyDescription? FindStrataPolicy(this RateLimiterOptions options, string policyName)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policyName);
        return HostRuntime.Existing(options)?.Find(policyName) is { } definition ? new RateLimitPolicyDescription(definition) : null;
    }

    /// <summary>Checks the options and the policy name first, so the errors about the other arguments can name the policy.</summary>
    private static string Named(RateLimiterOptions options, string policyName)
    {
        ArgumentNullException.ThrowIfNull(options);
        RateLimitNames.ThrowIfInvalid(policyName, nameof(policyName));
        return policyName;
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
