using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Strata.Benchmarks.Infrastructure;
using Strata.Jobs;
using Strata.Jobs.Backends;
using Strata.Testing;

namespace Strata.Benchmarks.Jobs.Database;

/// <summary>
/// One page of 50 out of 1,000,000 stored jobs on Strata's database backend on PostgreSQL (issue #20's target: under
/// 20 ms), through <see cref="IJobBackend.SearchAsync"/> as the admin API calls it. The jobs are rows as the backend
/// writes them (its column values, its id format), made by one server-side INSERT ... SELECT with the indexes built
/// after the load, then ANALYZEd: four queues, 70% succeeded, 12% queued, 5% scheduled, 5% dead, 3% cancelled, 5%
/// failed (waiting to retry), a thousand owners (about 1,000 jobs each), creation times spread over 30 days. One operation is one page.
/// At cleanup the log gets the index scans and sequential scans PostgreSQL counted for the case.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Jobs", "Database")]
public class JobSearchDatabaseBenchmarks
{
    /// <summary>Jobs stored before measuring.</summary>
    public const int Jobs = 1_000_000;

    /// <summary>Jobs on a page.</summary>
    public const int PageSize = 50;

    private const int SmokeJobs = 20_000;
    private static readonly bool IsSmoke = Environment.GetCommandLineArgs().Contains(BenchmarkConfig.SmokeArgument, StringComparer.Ordinal);

    private static readonly JobFilter Everything = new();
    private static readonly JobFilter DeadReports = new() { State = JobState.Dead, Queue = "reports" };
    private static readonly JobFilter OneOwner = new() { Owner = "key-17" };

    private PostgresCluster? _postgres;
    private IHost? _host;
    private IJobBackend? _backend;
    private string? _connectionString;
    private string? _cursor;
    private long _seqScansBefore;

    /// <summary>Starts PostgreSQL, stores the jobs, and builds (without starting) a host on the database backend.</summary>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _postgres = await PostgresCluster.StartAsync();
        _connectionString = await _postgres.CreateDatabaseAsync("strata");
        var options = new DbContextOptionsBuilder<StrataQueue.JobsDbContext>().UseNpgsql(_connectionString).Options;
        await using (var db = new StrataQueue.JobsDbContext(options))
        {
            await db.Database.EnsureCreatedAsync();
        }

        var seeded = Stopwatch.StartNew();
        await SeedAsync(_connectionString, IsSmoke ? SmokeJobs : Jobs);
        Console.WriteLine($"// Stored {(IsSmoke ? SmokeJobs : Jobs):N0} jobs, indexed and analyzed, in {seeded.Elapsed.TotalSeconds:F1} s");

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        var connectionString = _connectionString;
        builder.Services.AddDbContext<StrataQueue.JobsDbContext>(o => o.UseNpgsql(connectionString));
        builder.Services.AddStrataJobs().UseEntityFramework<StrataQueue.JobsDbContext>();
        _host = builder.Build();
        _backend = _host.Services.GetRequiredService<IJobBackend>();

        // The cursor after the first page of everything, for the next-page case.
        _cursor = (await _backend.SearchAsync(Everything, null, PageSize, CancellationToken.None)).NextCursor;
        _seqScansBefore = await CountSequentialScansAsync(_connectionString);
    }

    /// <summary>Prints what PostgreSQL counted for the case's statements, then stops the cluster.</summary>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _host?.Dispose();
        if (_connectionString is not null)
        {
            var sequentialScans = await CountSequentialScansAsync(_connectionString) - _seqScansBefore;
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                """SELECT indexrelname, idx_scan FROM pg_stat_user_indexes WHERE relname = 'StrataJobs' AND idx_scan > 0 ORDER BY indexrelname""", connection);
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    Console.WriteLine($"// Index scans: {reader.GetString(0)} {reader.GetInt64(1)}");
                }
            }

            Console.WriteLine($"// Sequential scans of StrataJobs while measuring: {sequentialScans}");
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    /// <summary>The newest 50 jobs, no filter.</summary>
    /// <returns>The jobs on the page.</returns>
    [Benchmark(Baseline = true)]
    public Task<int> First_page_of_every_job() => PageAsync(Everything, null);

    /// <summary>The newest 50 dead jobs of one queue.</summary>
    /// <returns>The jobs on the page.</returns>
    [Benchmark]
    public Task<int> Dead_jobs_of_one_queue() => PageAsync(DeadReports, null);

    /// <summary>The newest 50 jobs of one owner (about 1,000 of them).</summary>
    /// <returns>The jobs on the page.</returns>
    [Benchmark]
    public Task<int> Jobs_of_one_owner() => PageAsync(OneOwner, null);

    /// <summary>The second page of every job, through the first page's cursor.</summary>
    /// <returns>The jobs on the page.</returns>
    [Benchmark]
    public Task<int> Next_page_through_the_cursor() => PageAsync(Everything, _cursor);

    /// <summary>Not a page: the counts per queue and state over all the jobs (the admin API's totals and the jobs-per-state gauge, every 15 s per host while measured).</summary>
    /// <returns>The number of (queue, state) pairs.</returns>
    [Benchmark]
    public async Task<int> Counts_per_queue_and_state() => (await _backend!.CountAsync(CancellationToken.None)).Count;

    private async Task<int> PageAsync(JobFilter filter, string? cursor)
    {
        var page = await _backend!.SearchAsync(filter, cursor, PageSize, CancellationToken.None);
        if (page.Jobs.Count != PageSize)
        {
            throw new InvalidOperationException($"A page held {page.Jobs.Count} jobs, not {PageSize}.");
        }

        return page.Jobs.Count;
    }

    /// <summary>The sequential scans of the job table PostgreSQL counted so far (the pool's sessions closed first: that flushes their statistics).</summary>
    private static async Task<long> CountSequentialScansAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        await Task.Delay(500);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'StrataJobs'""", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Stores <paramref name="count"/> jobs with every index dropped, then builds the indexes again from their own
    /// definitions (one sorted build each instead of a million index inserts) and analyzes the table.
    /// </summary>
    internal static async Task SeedAsync(string connectionString, int count)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var indexes = new List<(string Name, string Definition)>();
        await using (var read = new NpgsqlCommand(
            """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'StrataJobs' AND indexname NOT LIKE 'PK_%'""", connection))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                indexes.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (name, _) in indexes)
        {
            await ExecuteAsync($"""DROP INDEX "{name}" """);
        }

        // Times in ms since the Unix epoch, as the backend stores them; job i was created 2.592 s (30 days / 1M) after job i-1.
        var start = DateTimeOffset.UtcNow.AddDays(-30).ToUnixTimeMilliseconds();
        var step = 30L * 24 * 3600 * 1000 / count;
        var expires = DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeMilliseconds();
        var owners = Math.Max(1, count / 1000);
        await ExecuteAsync($$"""
            INSERT INTO "StrataJobs" ("Id", "Queue", "JobType", "Payload", "State", "Attempt", "NextAttempt", "MaxAttempts", "Owner",
                "CreatedAt", "EnqueuedAt", "RunAt", "Sequence", "Deliveries", "CancelRequested", "StartedAt", "CompletedAt", "Error", "ExpiresAt")
            SELECT queue || '.' || md5(i::text), queue, job_type, payload, state,
                CASE WHEN state = 0 OR state = 1 THEN 0 ELSE 1 END, CASE WHEN state = 4 THEN 2 ELSE 1 END, 3, 'key-' || (i % {{owners}}),
                created, created, CASE WHEN state IN (1, 4) THEN created + 3600000 ELSE created END, i,
                CASE WHEN state IN (0, 1) THEN 0 ELSE 1 END, false,
                CASE WHEN state IN (2, 3, 4, 5, 6) THEN created + 40 END,
                CASE WHEN state IN (3, 5, 6) THEN created + 90 END,
                CASE WHEN state IN (4, 5) THEN 'The handler failed with HttpRequestException.' END,
                CASE WHEN state IN (3, 5, 6) THEN {{expires}} END
            FROM (
                SELECT i, (ARRAY['default', 'reports', 'emails', 'images'])[1 + (i % 4)] AS queue,
                    (ARRAY['AnalyzeDocument', 'SendEmail', 'BuildReport'])[1 + (i % 3)] AS job_type,
                    '{"documentId":"' || md5((i * 7)::text) || '","priority":' || (i % 5) || '}' AS payload,
                    CASE WHEN i % 100 < 70 THEN 3 WHEN i % 100 < 82 THEN 0 WHEN i % 100 < 87 THEN 1
                         WHEN i % 100 < 92 THEN 5 WHEN i % 100 < 95 THEN 6 ELSE 4 END AS state,
                    {{start}} + i::bigint * {{step}} AS created
                FROM generate_series(1, {{count}}) AS i) AS j
            """);

        foreach (var (_, definition) in indexes)
        {
            await ExecuteAsync(definition);
        }

        await ExecuteAsync("""VACUUM ANALYZE "StrataJobs" """);

        async Task ExecuteAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
            await command.ExecuteNonQueryAsync();
        }
    }
}
