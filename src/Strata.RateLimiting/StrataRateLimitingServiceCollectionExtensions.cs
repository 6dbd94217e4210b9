using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Strata.RateLimiting;
using Strata.RateLimiting.Internal;
using Strata.RateLimiting.Internal.Statistics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the services of Strata rate limiting.</summary>
public static class StrataRateLimitingServiceCollectionExtensions
{
    /// <summary>
    /// Registers everything Strata rate limiting needs: one runtime for the host (store, circuit breaker, deny cache,
    /// metrics, logs) that every Strata policy and <see cref="IRateLimiterFactory"/> share, the per-node counts read through
    /// <see cref="IRateLimitingMonitor"/>,
    /// <see cref="StrataRateLimitingOptions"/> validated on start, and the line naming the store at start. Policies
    /// added with <c>AddGcraPolicy</c> and friends need it (their first request says so otherwise). State stays in
    /// this process until the returned builder's <c>UseRedis(...)</c> (Strata.RateLimiting.Redis) moves it. Calling it
    /// twice is harmless.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Headers and per-partition overrides; bind them from configuration with <c>services.Configure&lt;StrataRateLimitingOptions&gt;(section)</c> for reload.</param>
    /// <returns>A builder to choose the store on.</returns>
    public static StrataRateLimitingBuilder AddStrataRateLimiting(this IServiceCollection services, Action<StrataRateLimitingOptions>? configure = null)
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
        services.TryAddSingleton<IRateLimitingMonitor, RateLimitingMonitor>();
        return new StrataRateLimitingBuilder(services);
    }
}
