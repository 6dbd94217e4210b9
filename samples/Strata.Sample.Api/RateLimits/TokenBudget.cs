using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Strata.RateLimiting;
using Strata.Sample.Api.Hosting;
using Strata.Sample.Api.Security;

namespace Strata.Sample.Api.RateLimits;

/// <summary>
/// The per-key token budget of <c>/v1/analyze</c>, as AI services meter usage: a request spends as many permits as its
/// document has tokens (GCRA, tokens per minute, limit from the key's plan). Over budget: 429 with <c>Retry-After</c>,
/// the RateLimit header fields (which also name this policy on success) and a quota-exceeded ProblemDetails body, as
/// the request limit answers. A document that costs more than the whole budget can never pass: 400. When Redis cannot
/// decide and the policy fails closed (<see cref="SampleFailureModes"/>): 503 with <c>Retry-After</c>, as the request
/// limit answers then, never a 429 that blames a budget nobody counted.
/// </summary>
internal sealed class TokenBudget(
    IRateLimiterFactory factory,
    IOptions<SampleApiOptions> api,
    IOptionsMonitor<StrataRateLimitingOptions> limits,
    SampleFailureModes failureModes)
{
    private readonly int _defaultLimit = api.Value.TokensPerMinute;

    private readonly PartitionedRateLimiter<HttpContext> _limiter = factory.CreatePartitioned(
        SampleRateLimits.TokensPolicy,
        RatePartition.ByApiKey,
        RateLimitRule.Gcra(api.Value.TokensPerMinute, TimeSpan.FromMinutes(1)),
        policy =>
        {
            policy.TierSelector = context => context.GetApiKeyPlan();
            policy.FailureMode = failureModes.Tokens;
        });

    /// <summary>Spends <paramref name="tokens"/> of the caller's budget; null when admitted, else the error to send.</summary>
    public async ValueTask<IResult?> SpendAsync(HttpContext context, int tokens, CancellationToken cancellationToken)
    {
        var limit = LimitFor(context.GetApiKeyPlan());
        if (tokens > limit)
        {
            return TooLarge(tokens, limit);
        }

        RateLimitLease lease;
        try
        {
            lease = await _limiter.AcquireAsync(context, Math.Max(tokens, 1), cancellationToken);
        }
        catch (ArgumentOutOfRangeException)
        {
            // A partition override below the tier's limit: the limiter knows better than LimitFor.
            return TooLarge(tokens, limit: null);
        }

        using (lease)
        {
            return lease.IsAcquired ? null : Rejected(context, lease);
        }
    }

    private int LimitFor(string? plan)
        => plan is not null
           && limits.CurrentValue.Policies.TryGetValue(SampleRateLimits.TokensPolicy, out var overrides)
           && overrides.Tiers.TryGetValue(plan, out var tier)
            ? tier
            : _defaultLimit;

    private static IResult TooLarge(int tokens, int? limit) => Results.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Document too large for the token budget",
        detail: limit is { } value
            ? $"The document has {tokens} tokens; the key's budget is {value} tokens per minute, so it can never be analyzed. Split it."
            : $"The document has {tokens} tokens, more than the key's whole budget per minute, so it can never be analyzed. Split it.");

    private static IResult Rejected(HttpContext context, RateLimitLease lease)
    {
        if (lease.TryGetMetadata(RateLimitMetadataNames.RejectionReason, out var reason) && reason == RateLimitRejectionReasons.StoreUnavailable)
        {
            return Unavailable(context, lease);
        }

        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Type = RateLimitProblemTypes.QuotaExceeded,
            Title = "Too many requests",
            Detail = $"The token budget of policy '{SampleRateLimits.TokensPolicy}' is exceeded. Retry after the time in the Retry-After header.",
        };
        problem.Extensions["policy"] = SampleRateLimits.TokensPolicy;
        problem.Extensions["violated-policies"] = new[] { SampleRateLimits.TokensPolicy };

        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero)
        {
            var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            problem.Extensions["retryAfter"] = seconds;
        }

        return TypedResults.Problem(problem);
    }

    private static IResult Unavailable(HttpContext context, RateLimitLease lease)
    {
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Rate limiting is unavailable",
            Detail = $"The rate-limit store cannot be reached and policy '{SampleRateLimits.TokensPolicy}' fails closed. Retry later.",
        };
        problem.Extensions["policy"] = SampleRateLimits.TokensPolicy;
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        problem.Extensions["retryAfter"] = seconds;
        return TypedResults.Problem(problem);
    }
}
