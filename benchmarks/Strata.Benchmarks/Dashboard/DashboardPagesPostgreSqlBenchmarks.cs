using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Strata.Benchmarks.Jobs.Database;
using Strata.Testing;

namespace Strata.Benchmarks.Dashboard;

/// <summary>The dashboard's pages on the database backend on PostgreSQL, a million rows seeded as <see cref="JobSearchDatabaseBenchmarks"/> seeds them.</summary>
public class DashboardPagesPostgreSqlBenchmarks : DashboardPagesBenchmarks
{
    private static readonly Lazy<Task<string>> Store = new(SeedAsync);

    /// <inheritdoc />
    protected override string FilteredQueue => "reports";

    private string? _connectionString;

    /// <inheritdoc />
    protected override async Task PrepareStoreAsync() => _connectionString = await Store.Value;

    /// <inheritdoc />
    protected override void AddJobs(IServiceCollection services)
    {
        var connectionString = _connectionString!;
        services.AddDbContext<StrataQueue.JobsDbContext>(o => o.UseNpgsql(connectionString));
        services.AddStrataJobs(o =>
            {
                o.RunWorkers = false;
                foreach (var queue in (string[])["default", "reports", "emails", "images"])
                {
                    o.AddQueue(queue);
                }
            })
            .AddNightly()
            .UseEntityFramework<StrataQueue.JobsDbContext>();
    }

    private static async Task<string> SeedAsync()
    {
        var postgres = await PostgresCluster.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => postgres.DisposeAsync().GetAwaiter().GetResult();
        var connectionString = await postgres.CreateDatabaseAsync("strata");
        var options = new DbContextOptionsBuilder<StrataQueue.JobsDbContext>().UseNpgsql(connectionString).Options;
        await using (var db = new StrataQueue.JobsDbContext(options))
        {
            await db.Database.EnsureCreatedAsync();
        }

        var jobs = IsSmoke ? SmokeJobs : StoredJobs;
        var started = System.Diagnostics.Stopwatch.StartNew();
        await JobSearchDatabaseBenchmarks.SeedAsync(connectionString, jobs);
        Console.WriteLine($"// Stored {jobs:N0} jobs in PostgreSQL in {started.Elapsed.TotalSeconds:0.0} s.");
        return connectionString;
    }
}
