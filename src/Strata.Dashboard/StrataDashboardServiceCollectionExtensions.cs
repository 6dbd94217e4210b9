using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Strata.Dashboard.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what the Strata dashboard needs.</summary>
public static class StrataDashboardServiceCollectionExtensions
{
    /// <summary>
    /// Registers the dashboard's services: antiforgery for its forms and the middleware that puts the security headers
    /// on every dashboard response. Call it before <c>MapStrataDashboard</c>; calling it twice is harmless.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddStrataDashboard(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAntiforgery();
        services.TryAddSingleton<DashboardRegistry>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, DashboardHeaders>());
        return services;
    }
}
