using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Strata.Jobs;
using Strata.Testing;

namespace Strata.Benchmarks.Jobs.Database;

/// <summary>
/// A Strata host with the no-op handler, on the database backend (PostgreSQL through EF Core, configured as its README
/// shows: <c>AddDbContext</c> and <c>UseEntityFramework</c> with default options) or on the Redis backend.
/// </summary>
internal sealed class StrataQueue : BenchmarkQueue
{
    private readonly IHost _host;
    private readonly IJobQueue _queue;
    private readonly SucceededCounter _succeeded;
    private readonly PostgresCluster? _postgres;
    private readonly RedisServer? _redis;
    private readonly ConnectionMultiplexer? _connection;
    private readonly List<string> _ids = [];

    private StrataQueue(IHost host, SucceededCounter succeeded, PostgresCluster? postgres, RedisServer? redis, ConnectionMultiplexer? connection)
    {
        _host = host;
        _queue = host.Services.GetRequiredService<IJobQueue>();
        _succeeded = succeeded;
        _postgres = postgres;
        _redis = redis;
        _connection = connection;
    }

    /// <summary>Starts a throwaway PostgreSQL cluster, creates the job tables, and starts a host on the database backend.</summary>
    public static async Task<StrataQueue> StartOnPostgreSqlAsync(int workers)
    {
        var postgres = await PostgresCluster.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("strata");
        var options = new DbContextOptionsBuilder<JobsDbContext>().UseNpgsql(connectionString).Options;
        await using (var db = new JobsDbContext(options))
        {
            await db.Database.EnsureCreatedAsync();
        }

        return await StartAsync(workers, postgres, redis: null, connection: null, jobs => jobs.Services.AddDbContext<JobsDbContext>(o => o.UseNpgsql(connectionString)), UseDatabase);

        static void UseDatabase(JobsBuilder jobs) => jobs.UseEntityFramework<JobsDbContext>();
    }

    /// <summary>Starts a redis-server and a host on the Redis backend.</summary>
    public static async Task<StrataQueue> StartOnRedisAsync(int workers)
    {
        var redis = await RedisServer.StartAsync();
        var connection = await redis.ConnectAsync();
        return await StartAsync(workers, postgres: null, redis, connection, jobs => jobs.Services.AddSingleton<IConnectionMultiplexer>(connection), static jobs => jobs.UseRedis());
    }

    public override ValueTask EnqueueAsync(int n) => EnqueueCoreAsync(n);

    public override Task ExpectDone(int n)
    {
        lock (_ids)
        {
            _ids.Clear();
        }

        return _succeeded.Expect(n);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await VerifyAsync();
        }
        finally
        {
            await _host.StopAsync();
            _host.Dispose();
            _succeeded.Dispose();
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }

            if (_redis is not null)
            {
                await _redis.DisposeAsync();
            }

            if (_postgres is not null)
            {
                await _postgres.DisposeAsync();
            }
        }
    }

    private static async Task<StrataQueue> StartAsync(
        int workers, PostgresCluster? postgres, RedisServer? redis, ConnectionMultiplexer? connection, Action<JobsBuilder> services, Action<JobsBuilder> backend)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        var jobs = builder.Services.AddStrataJobs(o =>
            {
                o.Concurrency = workers;
                // Long enough for the check at cleanup to read every job of an invocation back (Hangfire keeps its
                // succeeded jobs a day).
                o.RetentionPeriod = TimeSpan.FromMinutes(10);
            })
            .AddHandler<StampedJob, StampedJobHandler>();
        builder.Services.AddSingleton<StartedHook>();
        services(jobs);
        backend(jobs);
        var host = builder.Build();
        var succeeded = new SucceededCounter(host.Services);
        var queue = new StrataQueue(host, succeeded, postgres, redis, connection);
        host.Services.GetRequiredService<StartedHook>().Queue = queue;
        await host.StartAsync();

        // One job through before BenchmarkDotNet's own warm-up: the tables' first plans, the scripts, the JSON metadata.
        var warm = queue.ExpectDone(1);
        await queue.EnqueueAsync(-1);
        await warm;
        return queue;
    }

    private async ValueTask EnqueueCoreAsync(int n)
    {
        var id = await _queue.EnqueueAsync(new StampedJob(n, Stopwatch.GetTimestamp()));
        lock (_ids)
        {
            _ids.Add(id);
        }
    }

    private async Task VerifyAsync()
    {
        string[] ids;
        lock (_ids)
        {
            ids = [.. _ids];
        }

        var store = _host.Services.GetRequiredService<IJobStore>();
        foreach (var id in ids)
        {
            var info = await store.GetAsync(id);
            if (info?.State != JobState.Succeeded)
            {
                throw new InvalidOperationException($"Job {id} is {info?.State.ToString() ?? "unknown"} after the benchmark observed its completion.");
            }
        }

        Console.WriteLine($"// Strata: {ids.Length} jobs of the last invocation read back as Succeeded.");
    }

    /// <summary>The benchmark's DbContext: the job tables only.</summary>
    public sealed class JobsDbContext(DbContextOptions<JobsDbContext> options) : DbContext(options)
    {
        /// <inheritdoc />
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyStrataJobs();
    }

    /// <summary>Where the handler reports a start.</summary>
    internal sealed class StartedHook
    {
        public StrataQueue? Queue { get; set; }
    }

    /// <summary>Strata's no-op handler: records the job's enqueue-to-start time and counts the start.</summary>
    internal sealed class StampedJobHandler(StartedHook hook) : IJobHandler<StampedJob>
    {
        public Task HandleAsync(StampedJob job, JobContext context)
        {
            var queue = hook.Queue!;
            queue.Latency.Record(job.EnqueuedAt);
            queue.Started.Add();
            return Task.CompletedTask;
        }
    }
}
