using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Strata.Jobs.FleetWorker;

/// <summary>The one job setup the worker processes and the test's own host share.</summary>
public static class FleetSetup
{
    /// <summary>Jobs of this queue run at most two at a time across the fleet.</summary>
    public const string CappedQueue = "capped";

    /// <summary>Paused and resumed by the tests.</summary>
    public const string PausableQueue = "pausable";

    /// <summary>At most <see cref="PartnerPermits"/> jobs enqueued with this limit key start in any second, fleet-wide.</summary>
    public const string PartnerLimit = "partner";

    public const int FleetCap = 2;

    public const int PartnerPermits = 5;

    public static readonly TimeSpan PartnerWindow = TimeSpan.FromSeconds(1);

    /// <summary>Queues, limits and retries.</summary>
    public static void Configure(JobsOptions options)
    {
        options.Concurrency = 4;
        options.MaxAttempts = 3;
        options.AddQueue("default");
        options.Queues.Add(new JobQueueOptions { Name = CappedQueue, FleetMaxConcurrency = FleetCap });
        options.AddQueue(PausableQueue);
        options.RateLimits[PartnerLimit] = new JobRateLimit(PartnerPermits, PartnerWindow);
    }

    /// <summary>Selects the backend: <c>redis</c> (connection = configuration, store = key prefix) or <c>postgres</c> (connection string).</summary>
    public static JobsBuilder UseFleetBackend(this JobsBuilder jobs, string backend, string connection, string store)
    {
        switch (backend)
        {
            case "redis":
                jobs.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(connection));
                return jobs.UseRedis(o =>
                {
                    o.KeyPrefix = store;
                    o.PollInterval = TimeSpan.FromMilliseconds(200);
                });
            case "postgres":
                jobs.Services.AddDbContext<FleetDbContext>(o => o.UseNpgsql(connection));
                return jobs.UseEntityFramework<FleetDbContext>(o => o.PollInterval = TimeSpan.FromMilliseconds(200));
            default:
                throw new ArgumentException($"Unknown backend '{backend}': use redis or postgres.", nameof(backend));
        }
    }
}

/// <summary>The fleet tests' database: the job tables only.</summary>
public sealed class FleetDbContext(DbContextOptions<FleetDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyStrataJobs();
}
