using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting;

/// <summary>
/// Returned by <c>services.AddStrataRateLimiting()</c>; choose where rate-limit state lives on it, for example
/// <c>.UseRedis("localhost:6379")</c> (Strata.RateLimiting.Redis) or <c>.UseStore&lt;MyStore&gt;()</c>. Without a
/// choice, state stays in this process.
/// </summary>
public sealed class StrataRateLimitingBuilder
{
    internal StrataRateLimitingBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Keeps rate-limit state in <typeparamref name="TStore"/> with the default <see cref="DistributedStoreSettings"/>.</summary>
    /// <typeparam name="TStore">The store; registered as a singleton unless already registered.</typeparam>
    /// <returns>This builder.</returns>
    public StrataRateLimitingBuilder UseStore<TStore>()
        where TStore : class, IRateLimitStore => UseStore<TStore>(settings: null);

    /// <summary>Keeps rate-limit state in the store <paramref name="factory"/> makes, with the default <see cref="DistributedStoreSettings"/>.</summary>
    /// <param name="factory">Makes the store from the host's services.</param>
    /// <returns>This builder.</returns>
    public StrataRateLimitingBuilder UseStore(Func<IServiceProvider, IRateLimitStore> factory) => UseStore(factory, settings: null);

    /// <summary>
    /// Keeps rate-limit state in <typeparamref name="TStore"/>, resolved once from DI as a singleton. The first store
    /// chosen wins; a later call changes nothing.
    /// </summary>
    /// <typeparam name="TStore">The store; registered as a singleton unless already registered.</typeparam>
    /// <param name="settings">How the runtime treats the store when it is distributed; defaults apply when null.</param>
    /// <returns>This builder.</returns>
    public StrataRateLimitingBuilder UseStore<TStore>(Func<IServiceProvider, DistributedStoreSettings>? settings)
        where TStore : class, IRateLimitStore
    {
        Services.TryAddSingleton<TStore>();
        return UseStore(static services => services.GetRequiredService<TStore>(), settings);
    }

    /// <summary>
    /// Keeps rate-limit state in the store <paramref name="factory"/> makes, once per host. The first store chosen
    /// wins; a later call changes nothing.
    /// </summary>
    /// <param name="factory">Makes the store from the host's services.</param>
    /// <param name="settings">How the runtime treats the store when it is distributed; defaults apply when null.</param>
    /// <returns>This builder.</returns>
    public StrataRateLimitingBuilder UseStore(Func<IServiceProvider, IRateLimitStore> factory, Func<IServiceProvider, DistributedStoreSettings>? settings)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.TryAddSingleton(factory);
        if (settings is not null)
        {
            Services.TryAddSingleton(settings);
        }

        return this;
    }
}
