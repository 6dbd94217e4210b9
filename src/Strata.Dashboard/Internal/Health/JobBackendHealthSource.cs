using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Backends;

namespace Strata.Dashboard.Internal.Health;

/// <summary>The job backend's own <see cref="IJobBackend.CheckHealthAsync"/>, with its description.</summary>
internal sealed class JobBackendHealthSource : IDashboardHealthSource
{
    public string Name => "Job store";

    public async ValueTask<HealthReading?> ReadAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetService<IJobBackend>() is not { } backend)
        {
            return null;
        }

        var result = await backend.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        return new HealthReading($"Job store ({backend.Name})", result.Status, result.Description);
    }
}
