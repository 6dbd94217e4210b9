using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Strata.RateLimiting;
using Strata.RateLimiting.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the services of Strata rate limiting.</summary>
public static class StrataRateLimitingServiceCollectionExtensions
{
    /// <summary>
    /// Registers one rate-limiting runtime for the host (store, metrics, logs), <see cref="IRateLimiterFactory"/>,
    /// <see cref="StrataRateLimitingOptions"/> validated on start, and a hosted service that logs the store in use at
    /// start. Optional for policies added with <c>AddGcraPolicy</c> and friends: without it they share one runtime of
    /// their own per host, built at the first request (which then logs the store); needed for
    /// <see cref="IRateLimiterFactory"/>, and the runtime policies and factory then share. Calling it twice is harmless.
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
        services.TryAddSingleton(RateLimitRuntime.Create);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StoreAnnouncement>());
        services.TryAddSingleton<IRateLimiterFactory, RateLimiterFactory>();
        return services;
    }
}
