using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Strata.Benchmarks.Infrastructure;
using Strata.Jobs;
using Strata.Jobs.Backends;
using Strata.Jobs.Redis;
using Strata.Testing;

namespace Strata.Benchmarks.Jobs;

/// <summary>
/// One page of 50 jobs out of 1,000,000 stored in Redis (issue #20's target: under 20 ms), through the Redis
/// backend's <see cref="IJobBackend.SearchAsync"/>: unfiltered (three queues merged), dead jobs of one queue, one
/// owner's jobs, and the page after a cursor. The global setup writes, pipelined, exactly what the backend's scripts
/// keep for a job (status hash, search indexes, expiry entry of a finished job) for a mix of queues, states, job
/// types and owners; work streams and delayed sets, which a search never reads, are left out.
/// </summary>
[Config(typeof(PercentileConfig))]
[BenchmarkCategory("Jobs", "Search")]
public class JobSearchRedisBenchmarks
{
    /// <summary>Jobs stored before the measurement.</summary>
    public const int StoredJobs = 1_000_000;

    /// <summary>Jobs per page.</summary>
    public const int PageSize = 50;

    /// <summary>Jobs per owner, about (so 1,000 owners of the million).</summary>
    public const int JobsPerOwner = 1_000;

    private const int SmokeJobs = 5_000;
    private const int SeedBatch = 5_000;
    internal const string KeyPrefix = "bench:jobs:";

    private static readonly bool IsSmoke = Environment.GetCommandLineArgs().Contains(BenchmarkConfig.SmokeArgument, StringComparer.Ordinal);
    internal static readonly string[] Queues = ["default", "reports", "emails"];
    private static readonly string[] JobTypes = ["AnalyzeDocument", "SendEmail", "BuildReport", "SyncInvoices"];

    private RedisServer? _redis;
    private ConnectionMultiplexer? _connection;
    private IHost? _host;
    private IJobBackend? _backend;
    private string? _secondPage;

    /// <summary>Starts a redis-server, seeds the jobs and starts a Strata host (no workers) on the Redis backend.</summary>
    /// <returns>A task.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _redis = await RedisServer.StartAsync();
        _connection = await _redis.ConnectAsync(o => o.AllowAdmin = true);
        var jobs = IsSmoke ? SmokeJobs : StoredJobs;
        var started = System.Diagnostics.Stopwatch.StartNew();
        await SeedAsync(_connection.GetDatabase(), jobs);
        Console.WriteLine($"// Seeded {jobs:N0} jobs in {started.Elapsed.TotalSeconds:0.0} s; Redis uses {await UsedMemoryAsync()}.");

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IConnectionMultiplexer>(_connection);
        builder.Services.AddStrataJobs(o =>
            {
                o.RunWorkers = false;
                foreach (var queue in Queues)
                {
                    o.AddQueue(queue);
                }
            })
            .UseRedis(o => o.KeyPrefix = KeyPrefix);
        _host = builder.Build();
        await _host.StartAsync();
        _backend = _host.Services.GetRequiredService<IJobBackend>();

        // Every case must find a full page, or it measures less than it claims.
        var first = await _backend.SearchAsync(new JobFilter(), null, PageSize, CancellationToken.None);
        _secondPage = first.NextCursor ?? throw new InvalidOperationException("The first page has no cursor.");
        foreach (var filter in new[] { new JobFilter(), DeadOnReports, OneOwner })
        {
            var page = await _backend.SearchAsync(filter, null, PageSize, CancellationToken.None);
            if (page.Jobs.Count != PageSize)
            {
                throw new InvalidOperationException($"A search for {filter} found {page.Jobs.Count} jobs, not {PageSize}.");
            }
        }
    }

    /// <summary>Stops the host and the redis-server.</summary>
    /// <returns>A task.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    /// <summary>The newest 50 jobs of every queue (three queues' pages merged).</summary>
    /// <returns>The page.</returns>
    [Benchmark(Baseline = true)]
    public ValueTask<JobPage> Newest_page_unfiltered() => _backend!.SearchAsync(new JobFilter(), null, PageSize, CancellationToken.None);

    /// <summary>The newest 50 dead jobs of one queue.</summary>
    /// <returns>The page.</returns>
    [Benchmark]
    public ValueTask<JobPage> Dead_jobs_of_one_queue() => _backend!.SearchAsync(DeadOnReports, null, PageSize, CancellationToken.None);

    /// <summary>The newest 50 jobs of one owner (about a thousand among the million, spread over the queues).</summary>
    /// <returns>The page.</returns>
    [Benchmark]
    public ValueTask<JobPage> Jobs_of_one_owner() => _backend!.SearchAsync(OneOwner, null, PageSize, CancellationToken.None);

    /// <summary>The second page, from the first page's cursor.</summary>
    /// <returns>The page.</returns>
    [Benchmark]
    public ValueTask<JobPage> Next_page_by_cursor() => _backend!.SearchAsync(new JobFilter(), _secondPage, PageSize, CancellationToken.None);

    /// <summary>Counts per queue and state (21 sorted-set sizes, after the sweep of expired jobs).</summary>
    /// <returns>The counts.</returns>
    [Benchmark]
    public ValueTask<IReadOnlyList<JobStateCount>> Counts_per_queue_and_state() => _backend!.CountAsync(CancellationToken.None);

    private static JobFilter DeadOnReports { get; } = new() { State = JobState.Dead, Queue = "reports" };

    private static JobFilter OneOwner { get; } = new() { Owner = "owner-3" };

    /// <summary>
    /// Writes what enqueue_batch.lua, read_start.lua and finish.lua leave for each job: the status hash, the index
    /// entries (all, state, type, owner) and, for a finished job, its expiry entry and hash TTL. Pipelined in batches.
    /// </summary>
    internal static async Task SeedAsync(IDatabase db, int count)
    {
        var random = new Random(20);
        var newest = DateTimeOffset.UtcNow;
        var retention = TimeSpan.FromDays(30);
        var expiresBase = newest.ToUnixTimeMilliseconds() + (long)retention.TotalMilliseconds;
        var owners = Math.Max(4, count / JobsPerOwner);
        var keysOf = Queues.ToDictionary(q => q, q => new RedisQueueKeys(KeyPrefix, q), StringComparer.Ordinal);
        for (var start = 0; start < count; start += SeedBatch)
        {
            var batch = db.CreateBatch();
            var writes = new List<Task>(SeedBatch * 7);
            for (var i = start; i < Math.Min(count, start + SeedBatch); i++)
            {
                var queue = Queues[random.Next(Queues.Length)];
                var keys = keysOf[queue];
                var id = JobIds.Create(queue);
                var created = newest - TimeSpan.FromMilliseconds((count - i) * 2_000L) - TimeSpan.FromMilliseconds(random.Next(1000));
                var member = RedisIndexMember.Of(created, id);
                var jobType = JobTypes[random.Next(JobTypes.Length)];
                var owner = random.Next(10) == 0 ? string.Empty : "owner-" + random.Next(owners);
                var roll = random.Next(100);
                var state = roll switch
                {
                    < 60 => "succeeded",
                    < 75 => "dead",
                    < 85 => "queued",
                    < 90 => "scheduled",
                    < 95 => "running",
                    _ => "failed",
                };
                var finished = state is "succeeded" or "dead";
                var createdMs = created.ToUnixTimeMilliseconds();
                var fields = new List<HashEntry>
                {
                    new("type", jobType), new("queue", queue), new("state", state), new("max", 3), new("created", createdMs),
                    new("owner", owner), new("ix", member), new("attempt", state is "queued" or "scheduled" ? 0 : 1),
                };
                if (finished)
                {
                    fields.Add(new("started", createdMs + 5));
                    fields.Add(new("completed", createdMs + 25));
                    fields.Add(new("redeliveries", 0));
                }

                if (state == "dead")
                {
                    fields.Add(new("error", "The handler failed with InvalidOperationException."));
                }

                var hash = keys.Job(id);
                writes.Add(batch.HashSetAsync(hash, [.. fields]));
                writes.Add(batch.SortedSetAddAsync(keys.IndexAll, member, 0));
                writes.Add(batch.SortedSetAddAsync(keys.IndexState(state), member, 0));
                writes.Add(batch.SortedSetAddAsync(keys.IndexType(jobType), member, 0));
                if (owner.Length > 0)
                {
                    writes.Add(batch.SortedSetAddAsync(keys.IndexOwner(owner), member, 0));
                }

                if (finished)
                {
                    var expires = expiresBase - ((count - i) * 2_000L);
                    writes.Add(batch.KeyExpireAsync(hash, DateTimeOffset.FromUnixTimeMilliseconds(expires).UtcDateTime));
                    writes.Add(batch.SortedSetAddAsync(keys.Expiry, $"{member}\0{jobType}\0{owner}", expires));
                }
            }

            batch.Execute();
            await Task.WhenAll(writes);
        }
    }

    private async Task<string> UsedMemoryAsync()
    {
        var server = _connection!.GetServer(_connection.GetEndPoints()[0]);
        var info = await server.InfoAsync("memory");
        return info.SelectMany(g => g).FirstOrDefault(p => p.Key == "used_memory_human").Value ?? "?";
    }

    /// <summary>Adds the 95th percentile to the default columns.</summary>
    private sealed class PercentileConfig : ManualConfig
    {
        public PercentileConfig() => AddColumn(StatisticColumn.P95);
    }
}
