using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Strata.ApiKeys.Internal;

/// <summary>Logs once at start which store holds the keys and where lookups are cached (registered by <c>AddStrataApiKeys</c>).</summary>
internal sealed class ApiKeysAnnouncement(IServiceProvider services, IOptions<ApiKeysOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("Strata.ApiKeys") ?? NullLogger.Instance;
        var store = services.GetService<IApiKeyStore>();
        if (store is null)
        {
            return Task.CompletedTask;   // the options validator has already stopped the host, naming the call to add
        }

        var distributed = services.GetService<IDistributedCache>();
        var cache = distributed is null or MemoryDistributedCache
            ? "in this process (HybridCache, no second level)"
            : $"in HybridCache with {Name(PublicType(distributed.GetType()))} as its second level";
        ApiKeysLog.StoreInUse(logger, Name(store.GetType()), cache, options.Value.CacheDuration);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The first public type up the hierarchy (<c>RedisCache</c> for its internal <c>RedisCacheImpl</c>): the name an app knows.</summary>
    private static Type PublicType(Type type)
    {
        var current = type;
        while (current is { IsPublic: false, IsNestedPublic: false, BaseType: { } parent } && parent != typeof(object))
        {
            current = parent;
        }

        return current;
    }

    /// <summary>A type's name as code reads it: <c>EntityFrameworkApiKeyStore&lt;AppDbContext&gt;</c>.</summary>
    private static string Name(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>"
        : type.Name;
}
