using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Strata.ApiKeys;
using Strata.ApiKeys.EntityFrameworkCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the Entity Framework Core store for Strata API keys.</summary>
public static class ApiKeysEntityFrameworkCoreExtensions
{
    /// <summary>
    /// Keeps keys in <typeparamref name="TContext"/> (registered with <c>AddDbContext</c> or <c>AddDbContextFactory</c>),
    /// whose <c>OnModelCreating</c> calls <c>modelBuilder.ApplyStrataApiKeys()</c>. Checked at start-up.
    /// </summary>
    /// <typeparam name="TContext">Your DbContext.</typeparam>
    /// <param name="builder">The API-keys builder.</param>
    /// <returns>The builder.</returns>
    public static ApiKeysBuilder UseEntityFrameworkStore<TContext>(this ApiKeysBuilder builder)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IApiKeyStore, EntityFrameworkApiKeyStore<TContext>>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EntityFrameworkStoreStartupCheck<TContext>>());
        return builder;
    }
}
