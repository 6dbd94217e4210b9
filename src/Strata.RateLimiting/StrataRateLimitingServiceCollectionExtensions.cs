using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strata.RateLimiting;
using Strata.RateLimiting.Internal;
using Strata.RateLimiting.Store;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the services of Strata rate limiting.</summary>
public static class StrataRateLimitingServiceCollectionExtensions
{
    /// <summary>
    /// Registers one rate-limiting runtime for the host (store, metrics, logs), <see cref="IRateLimiterFactory"/>,
    /// and <see cref="StrataRateLimitingOptions"/> validated on start. Optional for policies added with
    /// <c>AddGcraPolicy</c> and friends (they work without it); needed for <see cref="IRateLimiterFactory"/>.
    /// Calling it twice is harmless.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Headers and per-partition overrides; bind them from configuration with <c>services.Configure&lt;StrataRateLimitingOptions&gt;(section)</c> for reload.</param>
    public static IServiceCollection AddStrataRateLimiting(this IServiceCollection services, Action<StrataRateLimitingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<StrataRateLimitingOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StrataRateLimitingOptions>, StrataRateLimitingOptionsValidator>());
        services.TryAddSingleton(sp => new RateLimitRuntime(
            sp.GetService<IRateLimitStore>(),
            sp.GetService<StoreSettings>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>(),
            sp.GetService<IOptionsMonitor<StrataRateLimitingOptions>>()));
        services.TryAddSingleton<IRateLimiterFactory, RateLimiterFactory>();
        return services;
    }
}
