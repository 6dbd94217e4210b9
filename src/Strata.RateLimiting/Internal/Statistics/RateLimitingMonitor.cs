using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Strata.RateLimiting.Internal.Statistics;

/// <summary>Reads the host's runtime (counts, store, breaker, deny cache) and the Strata policies of its <see cref="RateLimiterOptions"/>.</summary>
internal sealed class RateLimitingMonitor(RateLimitRuntime runtime, IOptions<RateLimiterOptions> limiterOptions) : IRateLimitingMonitor
{
    public IReadOnlyList<RateLimitPolicyDescription> Policies =>
        HostRuntime.Existing(limiterOptions.Value) is { } host
            ? [.. host.All().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => new RateLimitPolicyDescription(p))]
            : [];

    public RateLimitPolicyStatistics GetStatistics(string policyName)
    {
        ArgumentNullException.ThrowIfNull(policyName);
        return runtime.Statistics.Read(policyName);
    }

    public RateLimitStoreStatus GetStoreStatus()
    {
        var store = runtime.Store;
        var circuit = !runtime.Breaker.IsOpen
            ? RateLimitCircuitState.Closed
            : runtime.Breaker.RemainingBreak > TimeSpan.Zero ? RateLimitCircuitState.Open : RateLimitCircuitState.HalfOpen;
        return new RateLimitStoreStatus(
            store.Name,
            store.Description,
            store.IsDistributed,
            !runtime.Outage.IsActive,
            circuit,
            runtime.Statistics.DenyCacheHits,
            runtime.DenyCache.Count);
    }
}
