using System.Diagnostics;
using Hangfire;
using Hangfire.PostgreSql;
using Strata.Testing;

namespace Strata.Benchmarks.Jobs.Database;

/// <summary>
/// Hangfire 1.8 with Hangfire.PostgreSql storage on a throwaway PostgreSQL cluster, set up for throughput: the same
/// worker count as Strata, and <c>QueuePollInterval</c> at 50 ms instead of its 15 s default, so an idle worker finds
/// new work within 50 ms (each idle worker then polls 20 times a second). Its LISTEN/NOTIFY mode
/// (<c>EnableLongPolling</c>) is left off: in this benchmark it left fetched jobs unprocessed until their invisibility
/// timeout (30 min), so the run never finished.
/// </summary>
internal sealed class HangfirePostgreSqlQueue : BenchmarkQueue
{
    private readonly PostgresCluster _postgres;
    private readonly PostgreSqlStorage _storage;
    private readonly BackgroundJobClient _client;
    private readonly BackgroundJobServer _server;
    private long _succeededBefore;
    private long _expected;

    private HangfirePostgreSqlQueue(PostgresCluster postgres, PostgreSqlStorage storage, int workers)
    {
        _postgres = postgres;
        _storage = storage;
        _client = new BackgroundJobClient(storage);
        _server = new BackgroundJobServer(
            new BackgroundJobServerOptions { WorkerCount = workers, ServerName = "strata-benchmarks", ShutdownTimeout = TimeSpan.FromSeconds(10) },
            storage);
    }

    public override bool BlocksOnEnqueue => true;

    /// <summary>Starts a cluster, lets Hangfire.PostgreSql create its schema, and starts a server.</summary>
    public static async Task<HangfirePostgreSqlQueue> StartAsync(int workers)
    {
        var postgres = await PostgresCluster.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("hangfire");
        var storage = new PostgreSqlStorage(
            new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connectionString, Options),
            Options);
        var queue = new HangfirePostgreSqlQueue(postgres, storage, workers);
        HangfireStampedJob.Queue = queue;
        var warm = queue.ExpectDone(1);
        await queue.EnqueueAsync(-1);
        await warm;
        await queue.ConfirmDoneAsync();
        return queue;
    }

    private static PostgreSqlStorageOptions Options => new()
    {
        PrepareSchemaIfNecessary = true,
        QueuePollInterval = TimeSpan.FromMilliseconds(50),
    };

    public override ValueTask EnqueueAsync(int n)
    {
        var stamp = Stopwatch.GetTimestamp();
        _client.Enqueue<HangfireStampedJob>(j => j.Run(n, stamp));
        return ValueTask.CompletedTask;
    }

    public override Task ExpectDone(int n)
    {
        _succeededBefore = _storage.GetMonitoringApi().GetStatistics().Succeeded;
        _expected = n;
        return Ran.Expect(n);
    }

    /// <summary>The handler has run N times; the job is done for Hangfire when its state is Succeeded.</summary>
    public override async Task ConfirmDoneAsync()
    {
        var monitoring = _storage.GetMonitoringApi();
        while (monitoring.GetStatistics().Succeeded < _succeededBefore + _expected)
        {
            await Task.Delay(1);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _server.SendStop();
        _server.Dispose();
        await _postgres.DisposeAsync();
    }

    /// <summary>Hangfire's no-op job (activated by type).</summary>
    public sealed class HangfireStampedJob
    {
        internal static HangfirePostgreSqlQueue? Queue { get; set; }

        /// <summary>Records the enqueue-to-start time and counts the start.</summary>
        /// <param name="n">A sequence number.</param>
        /// <param name="enqueuedAt">The <see cref="Stopwatch"/> timestamp taken before the enqueue call.</param>
        public void Run(int n, long enqueuedAt)
        {
            _ = n;
            Queue!.Latency.Record(enqueuedAt);
            Queue.Started.Add();
            Queue.Ran.Add();
        }
    }
}
