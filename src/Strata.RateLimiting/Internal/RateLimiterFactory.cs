using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace Strata.RateLimiting.Internal;

/// <summary>Creates Strata limiters on the host's runtime (and so on its store).</summary>
internal sealed class RateLimiterFactory : IRateLimiterFactory
{
    private readonly RateLimitRuntime _runtime;

    public RateLimiterFactory(RateLimitRuntime runtime)
    {
        _runtime = runtime;
        runtime.AnnounceStore();
    }

    public RateLimiter CreateLimiter(string policyName, string partitionKey, RateLimitRule rule, Action<RateLimitPolicyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        return new StoreRateLimiter(_runtime, Define(policyName, rule, configure, partition: null), partitionKey);
    }

    public PartitionedRateLimiter<HttpContext> CreatePartitioned(string policyName, RatePartition partition, RateLimitRule rule, Action<RateLimitPolicyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(partition);
        var definition = Define(policyName, rule, configure, partition);
        return PartitionedRateLimiter.Create<HttpContext, string>(context => StrataRateLimiterPolicy.Partition(_runtime, definition, context));
    }

    internal static PolicyDefinition Define(string policyName, RateLimitRule rule, Action<RateLimitPolicyOptions>? configure, RatePartition? partition)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var options = new RateLimitPolicyOptions();
        configure?.Invoke(options);
        return new PolicyDefinition(policyName, rule, options, partition);
    }
}
