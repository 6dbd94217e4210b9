using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Strata.Jobs;
using Strata.Jobs.EntityFrameworkCore;
using Strata.Jobs.EntityFrameworkCore.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Selects the database backend for Strata.Jobs: <c>services.AddStrataJobs().UseEntityFramework&lt;AppDbContext&gt;()</c>.</summary>
public static class EntityFrameworkJobsBuilderExtensions
{
    /// <summary>
    /// Keeps jobs in <typeparamref name="TContext"/>'s database (PostgreSQL, or SQLite for one node), registered with
    /// <c>AddDbContext</c> or <c>AddDbContextFactory</c>, whose <c>OnModelCreating</c> calls
    /// <c>modelBuilder.ApplyStrataJobs()</c>. The model and the provider are checked when the host starts.
    /// </summary>
    /// <typeparam name="TContext">Your DbContext.</typeparam>
    /// <param name="builder">The builder returned by <c>AddStrataJobs</c>.</param>
    /// <param name="configure">Adjusts the backend's settings; validated when the host starts.</param>
    /// <returns>The builder.</returns>
    public static JobsBuilder UseEntityFramework<TContext>(this JobsBuilder builder, Action<EntityFrameworkJobsOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<EntityFrameworkJobsOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EntityFrameworkJobsOptions>, EntityFrameworkJobsOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EntityFrameworkJobsStartupCheck<TContext>>());
        return builder.UseBackend<EntityFrameworkJobBackend<TContext>>();
    }
}
