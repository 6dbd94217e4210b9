using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Strata.Dashboard;
using Strata.Dashboard.Internal;
using Strata.Dashboard.Internal.Live;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Mounts the Strata dashboard.</summary>
public static class StrataDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Mounts the dashboard under <paramref name="prefix"/>: server-rendered pages for each Strata package the host
    /// registered, every route behind <see cref="StrataDashboardOptions.AuthorizationPolicy"/>.
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="prefix">The route prefix, for example "/strata".</param>
    /// <param name="configure">Sets the options; the authorization policy is required.</param>
    /// <returns>The route group of the dashboard, for more conventions.</returns>
    /// <exception cref="InvalidOperationException">
    /// No authorization policy is named (and the development opt-out is not set), the opt-out is set outside the
    /// Development environment, or <c>AddStrataDashboard()</c> was not called.
    /// </exception>
    public static RouteGroupBuilder MapStrataDashboard(this IEndpointRouteBuilder endpoints, string prefix, Action<StrataDashboardOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new StrataDashboardOptions();
        configure(options);

        var services = endpoints.ServiceProvider;
        var registry = services.GetService<DashboardRegistry>()
            ?? throw new InvalidOperationException(
                "The Strata dashboard's services are not registered: call builder.Services.AddStrataDashboard() before MapStrataDashboard.");
        var normalized = "/" + prefix.Trim('/');
        var group = endpoints.MapGroup(normalized);
        if (!string.IsNullOrWhiteSpace(options.AuthorizationPolicy))
        {
            group.RequireAuthorization(options.AuthorizationPolicy);
        }
        else if (options.AllowAnonymousInDevelopment)
        {
            var environment = services.GetRequiredService<IHostEnvironment>();
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    $"StrataDashboardOptions.AllowAnonymousInDevelopment is set but the environment is '{environment.EnvironmentName}': "
                    + "it only works in Development. Set StrataDashboardOptions.AuthorizationPolicy to the name of a policy instead.");
            }

            group.AllowAnonymous();
            DashboardLog.Anonymous(services.GetRequiredService<ILoggerFactory>().CreateLogger(DashboardLog.Category), normalized);
        }
        else
        {
            throw new InvalidOperationException(
                $"The Strata dashboard at {normalized} needs an authorization policy: set StrataDashboardOptions.AuthorizationPolicy to the "
                + "name of a policy every dashboard route requires. For local development only, StrataDashboardOptions.AllowAnonymousInDevelopment "
                + "= true serves it without authorization in the Development environment.");
        }

        registry.Add(normalized);
        StartLiveCollector(services);
        group.ExcludeFromDescription().WithMetadata(DashboardEndpointMarker.Instance);
        DashboardRoutes.Map(group, new DashboardSettings(normalized, options.ReadOnly));
        return group;
    }

    /// <summary>Starts the overview's collector (once per host) and stops it when the host stops.</summary>
    private static void StartLiveCollector(IServiceProvider services)
    {
        var collector = services.GetRequiredService<LiveCollector>();
        if (collector.IsListening)
        {
            return;
        }

        collector.Start();
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(collector.Dispose);
    }
}
