using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace Strata.RateLimiting;

/// <summary>
/// Creates Strata limiters outside the rate-limiting middleware: for outbound <c>HttpClient</c>
/// calls, Polly's rate-limiter strategy, or a global limiter. They use the host's store (in-process,
/// or Redis after <c>UseRedis</c>), so limiters with the same policy name and partition
/// share one limit across instances and nodes. Registered by <c>AddStrataRateLimiting</c>.
/// </summary>
public interface IRateLimiterFactory
{
    /// <summary>A limiter for one partition of a policy. Permit counts are costs; there is no queue.</summary>
    /// <param name="policyName">The policy name (part of store keys): ASCII letters, digits, '-', '_' and '.'.</param>
    /// <param name="partitionKey">The partition, for example the name of a downstream API.</param>
    /// <param name="rule">The limit.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules.</param>
    RateLimiter CreateLimiter(string policyName, string partitionKey, RateLimitRule rule, Action<RateLimitPolicyOptions>? configure = null);

    /// <summary>A limiter partitioned per request, for example for <c>RateLimiterOptions.GlobalLimiter</c>.</summary>
    /// <param name="policyName">The policy name (part of store keys).</param>
    /// <param name="partition">How requests are partitioned.</param>
    /// <param name="rule">The limit of each partition.</param>
    /// <param name="configure">Failure mode, shadow mode, more rules.</param>
    PartitionedRateLimiter<HttpContext> CreatePartitioned(string policyName, RatePartition partition, RateLimitRule rule, Action<RateLimitPolicyOptions>? configure = null);
}
