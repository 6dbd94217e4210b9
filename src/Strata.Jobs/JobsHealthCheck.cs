using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Strata.Jobs;

/// <summary>Asks the backend whether it can take and hand out jobs.</summary>
internal sealed class JobsHealthCheck(IJobBackend backend) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var (status, description) = await backend.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
            return new HealthCheckResult(status == HealthStatus.Unhealthy ? context.Registration.FailureStatus : status, description);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The {backend.Name} job backend cannot be reached ({ex.GetType().Name}).");
        }
    }
}
