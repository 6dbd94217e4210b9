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
    /// Registers the sample's database from <c>Database:Provider</c> (<c>Sqlite</c> by default, or <c>Postgres</c>) and
    /// <c>ConnectionStrings:Database</c> (default <c>Data Source=data/strata-sample.db</c>): the provider's context
    /// (resolvable as <see cref="SampleDbContext"/>, so <c>services.AddStrataApiKeys().UseEntityFrameworkStore&lt;SampleDbContext&gt;()</c>
    /// works), <see cref="IAnalysisRepository"/>, <see cref="TimeProvider"/> (system, unless one is registered) and the health
    /// check "database" tagged "ready". The keys are read when the first context is created (so configuration added after
    /// this call, e.g. by a test host, counts); a wrong value then throws <see cref="InvalidOperationException"/> naming the
    /// key, at the latest from <see cref="MigrateSampleDatabaseAsync"/> on start. Calling it twice changes nothing.
    /// </summary>
    public static IServiceCollection AddSampleData(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(SampleDatabaseSettings)))
        {
            return services;
        }

        services.AddSingleton(_ => SampleDatabaseSettings.Read(configuration));
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();

        // Both provider-specific contexts are registered (each has its own migrations); SampleDbContext resolves to the
        // configured one, and asking for the other one directly is an error that says so.
        services.AddDbContext<SqliteSampleDbContext>((sp, options) =>
            SampleDatabaseSettings.UseSqlite(options, sp.GetRequiredService<SampleDatabaseSettings>().Require(SampleDatabaseProvider.Sqlite)));
        services.AddDbContext<PostgresSampleDbContext>((sp, options) =>
            SampleDatabaseSettings.UsePostgres(options, sp.GetRequiredService<SampleDatabaseSettings>().Require(SampleDatabaseProvider.Postgres)));
        services.TryAddScoped<SampleDbContext>(sp => sp.GetRequiredService<SampleDatabaseSettings>().Provider == SampleDatabaseProvider.Sqlite
            ? sp.GetRequiredService<SqliteSampleDbContext>()
            : sp.GetRequiredService<PostgresSampleDbContext>());

        services.TryAddSingleton<IAnalysisRepository, AnalysisRepository>();

        // Ready when the database answers and every migration is applied (a reachable but empty or older database is
        // not ready). For SQLite, "answers" means the file exists: the check never creates it.
        services.AddHealthChecks().AddDbContextCheck<SampleDbContext>(
            HealthCheckName,
            tags: [ReadyTag],
            customTestQuery: static (db, cancellationToken) => SampleDatabaseMigrator.IsUpToDateAsync(db, cancellationToken));
        return services;
    }

    /// <summary>
    /// Creates the SQLite file's directory, switches the file to WAL (readers do not block the writer; two processes
    /// can share it) and applies the provider's migrations. Safe when two processes start together: an up-to-date
    /// database takes no lock, EF Core's migration lock serialises the rest, a "database is locked" answer is retried,
    /// and a SQLite migration lock left by a killed process is deleted once two minutes old.
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
