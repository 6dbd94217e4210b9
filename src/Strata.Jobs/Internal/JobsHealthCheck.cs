using Microsoft.Extensions.Diagnostics.HealthChecks;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>Asks the backend whether it can take and hand out jobs.</summary>
internal sealed class JobsHealthCheck(IJobBackend backend) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var result = await backend.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
            return result.Status == HealthStatus.Unhealthy
                ? new HealthCheckResult(context.Registration.FailureStatus, result.Description, result.Exception, result.Data)
                : result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The {backend.Name} job backend cannot be reached ({ex.GetType().Name}).");
        }
    }
}
