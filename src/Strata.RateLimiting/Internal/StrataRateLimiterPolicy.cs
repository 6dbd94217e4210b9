using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Strata.RateLimiting.Internal;

/// <summary>
/// A Strata policy as ASP.NET Core's middleware sees it: a partition per request, a
/// <see cref="StoreRateLimiter"/> per partition, and Strata's rejection response. The runtime is the one
/// every policy of the host shares (<see cref="HostRuntime"/>).
/// </summary>
internal sealed class StrataRateLimiterPolicy(PolicyDefinition definition, HostRuntime host) : IRateLimiterPolicy<string>
{
    public PolicyDefinition Definition => definition;

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = RateLimitResponses.OnRejectedAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        Partition(host.Get(httpContext.RequestServices), definition, httpContext);

    /// <summary>
    /// The partition of a request: its key's <see cref="StoreRateLimiter"/>, or, when the key would come from a user
    /// that authentication has not produced yet (the rate limiter runs before <c>UseAuthentication</c>), the policy's
    /// <see cref="LateAuthenticationLimiter"/>, which authenticates first so keys never share the anonymous bucket.
    /// </summary>
    public static RateLimitPartition<string> Partition(RateLimitRuntime runtime, PolicyDefinition definition, HttpContext httpContext)
    {
        var partition = definition.Partition!.Resolve(httpContext);
        if (LateAuthenticationLimiter.IsNeeded(definition, partition, httpContext))
        {
            RequestBinding.Set(httpContext, definition, LateAuthenticationLimiter.PartitionKey, null);
            return RateLimitPartition.Get(LateAuthenticationLimiter.PartitionKey, _ => new LateAuthenticationLimiter(runtime, definition));
        }

        var tier = definition.TierSelector?.Invoke(httpContext);
        RequestBinding.Set(httpContext, definition, partition, tier);
        return RateLimitPartition.Get(partition, key => new StoreRateLimiter(runtime, definition, key));
    }
}
