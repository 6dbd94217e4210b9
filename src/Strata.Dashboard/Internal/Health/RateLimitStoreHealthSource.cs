using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Strata.RateLimiting;

namespace Strata.Dashboard.Internal.Health;

/// <summary>
/// The rate limiter's store as <see cref="IRateLimitingMonitor.GetStoreStatus"/> reports it: unhealthy while it does
/// not answer or its circuit is open (decisions follow each policy's failure mode), degraded while half-open.
/// </summary>
internal sealed class RateLimitStoreHealthSource : IDashboardHealthSource
{
    public string Name => "Rate-limit store";

    public ValueTask<HealthReading?> ReadAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetService<IRateLimitingMonitor>() is not { } monitor)
        {
            return ValueTask.FromResult<HealthReading?>(null);
        }

        var store = monitor.GetStoreStatus();
        var status = !store.IsReachable || store.CircuitState == RateLimitCircuitState.Open ? HealthStatus.Unhealthy
            : store.CircuitState == RateLimitCircuitState.HalfOpen ? HealthStatus.Degraded
            : HealthStatus.Healthy;
        var circuit = store.CircuitState switch
        {
            RateLimitCircuitState.Open => "circuit open: decisions follow each policy's failure mode",
            RateLimitCircuitState.HalfOpen => "circuit half-open: the next call probes the store",
            _ => "circuit closed",
        };
        var reachable = store.IsReachable ? "answering" : "not answering";
        return ValueTask.FromResult<HealthReading?>(new HealthReading($"Rate-limit store ({store.Name})", status, $"{store.Description}; {reachable}; {circuit}"));
    }
}
