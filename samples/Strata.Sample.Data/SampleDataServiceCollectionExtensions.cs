using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Strata.Sample.Data;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers and migrates the sample's database.</summary>
public static class SampleDataServiceCollectionExtensions
{
    /// <summary>The name of the database health check (tagged <see cref="ReadyTag"/>).</summary>
    public const string HealthCheckName = "database";

    /// <summary>The tag of the database health check: <c>/health/ready</c> runs the checks with it.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Reads <c>Database:Provider</c> (<c>Sqlite</c> by default, or <c>Postgres</c>) and <c>ConnectionStrings:Database</c>
    /// (default <c>Data Source=data/strata-sample.db</c>); registers the provider's context (resolvable as
    /// <see cref="SampleDbContext"/>, so <c>services.AddApiKeys().AddEntityFrameworkStore&lt;SampleDbContext&gt;()</c> works),
    /// <see cref="IAnalysisRepository"/>, <see cref="TimeProvider"/> (system, unless one is registered) and the health check
    /// "database" tagged "ready". Calling it twice changes nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The provider is unknown, or Postgres has no connection string.</exception>
    public static IServiceCollection AddSampleData(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = SampleDatabaseSettings.Read(configuration);
        if (services.Any(d => d.ServiceType == typeof(SampleDatabaseSettings)))
        {
            return services;
        }

        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        if (settings.Provider == SampleDatabaseProvider.Sqlite)
        {
            services.AddDbContext<SqliteSampleDbContext>(options => SampleDatabaseSettings.UseSqlite(options, settings.ConnectionString));
            services.TryAddScoped<SampleDbContext>(sp => sp.GetRequiredService<SqliteSampleDbContext>());
        }
        else
        {
            services.AddDbContext<PostgresSampleDbContext>(options => SampleDatabaseSettings.UsePostgres(options, settings.ConnectionString));
            services.TryAddScoped<SampleDbContext>(sp => sp.GetRequiredService<PostgresSampleDbContext>());
        }

        services.TryAddSingleton<IAnalysisRepository, AnalysisRepository>();

        // Ready when the database answers and the schema is there (a migrated database, not only a reachable server).
        services.AddHealthChecks().AddDbContextCheck<SampleDbContext>(
            HealthCheckName,
            tags: [ReadyTag],
            customTestQuery: static async (db, cancellationToken) =>
                await db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false)
                && await db.Documents.AsNoTracking().Select(d => d.Id).Take(1).CountAsync(cancellationToken).ConfigureAwait(false) >= 0);
        return services;
    }

    /// <summary>
    /// Creates the SQLite file's directory, switches the file to WAL (readers do not block the writer; two processes
    /// can share it) and applies the provider's migrations. Safe when two processes start together: EF Core's
    /// migration lock serialises them, and a "database is locked" answer is retried.
    /// </summary>
    public static async Task MigrateSampleDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var scope = services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
            var time = scope.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
            var logger = scope.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger(typeof(SampleDatabaseMigrator).FullName!) ?? NullLogger.Instance;
            await SampleDatabaseMigrator.MigrateAsync(db, time, logger, cancellationToken).ConfigureAwait(false);
        }
    }
}
