using BenchmarkDotNet.Attributes;
using Strata.Benchmarks.Infrastructure;

namespace Strata.Benchmarks.Jobs.Database;

/// <summary>
/// Enqueue-to-start latency on an idle queue (issue #19): one producer enqueues a job, waits until its handler starts,
/// then enqueues the next, so no job waits behind another. The same three systems as
/// <see cref="DatabaseQueueBenchmarks"/>, set up the same way; the mean is one round trip (enqueue to handler start),
/// and the log gets p50 and p99 of the enqueue-to-start time the handlers recorded.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Jobs", "Database")]
public class DatabaseQueueLatencyBenchmarks
{
    /// <summary>Jobs per invocation.</summary>
    public const int Jobs = 200;

    private const int SmokeJobs = 5;
    private static readonly bool IsSmoke = Environment.GetCommandLineArgs().Contains(BenchmarkConfig.SmokeArgument, StringComparer.Ordinal);

    private BenchmarkQueue? _queue;

    /// <summary>Starts PostgreSQL and Hangfire with Hangfire.PostgreSql storage.</summary>
    [GlobalSetup(Target = nameof(Hangfire_PostgreSql))]
    public async Task SetupHangfireAsync() => _queue = await HangfirePostgreSqlQueue.StartAsync(DatabaseQueueBenchmarks.Workers);

    /// <summary>Starts PostgreSQL and a Strata host on the database backend.</summary>
    [GlobalSetup(Target = nameof(Strata_database_PostgreSql))]
    public async Task SetupStrataDatabaseAsync() => _queue = await StrataQueue.StartOnPostgreSqlAsync(DatabaseQueueBenchmarks.Workers);

    /// <summary>Starts a redis-server and a Strata host on the Redis backend.</summary>
    [GlobalSetup(Target = nameof(Strata_Redis))]
    public async Task SetupStrataRedisAsync() => _queue = await StrataQueue.StartOnRedisAsync(DatabaseQueueBenchmarks.Workers);


    /// <summary>Prints the percentiles and stops the case's servers.</summary>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        Console.WriteLine($"// Enqueue to start, idle queue: {_queue?.Latency.Describe()}");
        if (_queue is not null)
        {
            await _queue.DisposeAsync();
        }
    }

    /// <summary>Hangfire 1.8 on Hangfire.PostgreSql 1.21.</summary>
    /// <returns>A task.</returns>
    [Benchmark(OperationsPerInvoke = Jobs)]
    public Task Hangfire_PostgreSql() => RunAsync();

    /// <summary>Strata.Jobs.EntityFrameworkCore on PostgreSQL.</summary>
    /// <returns>A task.</returns>
    [Benchmark(OperationsPerInvoke = Jobs)]
    public Task Strata_database_PostgreSql() => RunAsync();

    /// <summary>Strata.Jobs.Redis.</summary>
    /// <returns>A task.</returns>
    [Benchmark(OperationsPerInvoke = Jobs)]
    public Task Strata_Redis() => RunAsync();

    private async Task RunAsync()
    {
        var queue = _queue!;
        var n = IsSmoke ? SmokeJobs : Jobs;
        var done = queue.ExpectDone(n);
        for (var i = 0; i < n; i++)
        {
            var started = queue.Started.Expect(1);
            await queue.EnqueueAsync(i);
            await started;
        }

        await done;
        await queue.ConfirmDoneAsync();
    }
}
