using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Strata.ApiKeys.EntityFrameworkCore;

/// <summary>Checks at start-up that <typeparamref name="TContext"/> maps the API-key table, so a missing <c>modelBuilder.ApplyStrataApiKeys()</c> stops the host with a clear message.</summary>
internal sealed class EntityFrameworkStoreStartupCheck<TContext>(IServiceScopeFactory scopes) : IHostedService
    where TContext : DbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var factory = scope.ServiceProvider.GetService<IDbContextFactory<TContext>>();
            var db = factory is not null
                ? await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false)
                : scope.ServiceProvider.GetRequiredService<TContext>();
            try
            {
                if (db.Model.FindEntityType(typeof(ApiKeyEntity)) is null)
                {
                    throw new InvalidOperationException(
                        $"{typeof(TContext).Name} does not map the API-key table: call modelBuilder.ApplyStrataApiKeys() in its OnModelCreating, then add a migration.");
                }
            }
            finally
            {
                if (factory is not null)
                {
                    await db.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
