using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>Fails the start, naming the fix, when the context does not map the job tables or its provider is not supported.</summary>
internal sealed class EntityFrameworkJobsStartupCheck<TContext>(IServiceScopeFactory scopes) : IHostedService
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
                _ = JobSql.For(db);
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
