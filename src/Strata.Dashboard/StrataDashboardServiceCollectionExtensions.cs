using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Strata.Dashboard.Internal;
using Strata.Dashboard.Internal.Health;
using Strata.Dashboard.Internal.Live;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what the Strata dashboard needs.</summary>
public static class StrataDashboardServiceCollectionExtensions
{
    /// <summary>
    /// Registers the dashboard's services: antiforgery for its forms, the middleware that puts the security headers
    /// on every dashboard response, the collector of the overview's live charts (it listens only once the dashboard
    /// is mapped) and the store health sources of the overview. Call it before <c>MapStrataDashboard</c>; calling it twice is harmless.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddStrataDashboard(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAntiforgery();
        services.TryAddSingleton<DashboardRegistry>();
        services.TryAddSingleton(sp => new LiveCollector(sp));
        services.TryAddSingleton(sp => new JobReadings(sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDashboardHealthSource, JobBackendHealthSource>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDashboardHealthSource, RateLimitStoreHealthSource>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, DashboardHeaders>());
        return services;
    }
}
