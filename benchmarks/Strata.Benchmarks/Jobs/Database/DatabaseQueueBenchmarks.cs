using BenchmarkDotNet.Attributes;
using Strata.Benchmarks.Infrastructure;

namespace Strata.Benchmarks.Jobs.Database;

/// <summary>
/// End-to-end throughput of no-op jobs on a durable queue (issue #19): Strata's database backend on PostgreSQL against
/// Hangfire.PostgreSql (the baseline) and against Strata's Redis backend, each on a server of its own started by the
/// case. <see cref="Producers"/> concurrent producers enqueue N jobs through the public client, <see cref="Workers"/>
/// workers run them, and the clock stops when the last job is recorded as succeeded (Strata: the
/// <c>strata.jobs.succeeded</c> counter, then every job of the last invocation read back; Hangfire: N handler runs and
/// N more succeeded jobs in its statistics). One operation is one job. The log also gets CPU time per job (this
/// process only, not the servers) and the enqueue-to-start times of the jobs, which under this load are mostly time
/// spent waiting in the queue (<see cref="DatabaseQueueLatencyBenchmarks"/> measures them on an idle queue).
/// </summary>
[RequestThroughput]
[MemoryDiagnoser]
[BenchmarkCategory("Jobs", "Database")]
public class DatabaseQueueBenchmarks
{
    /// <summary>Jobs per invocation of Strata's database backend.</summary>
    public const int StrataDatabaseJobs = 10_000;

    /// <summary>Jobs per invocation of Strata's Redis backend.</summary>
    public const int StrataRedisJobs = 20_000;

    /// <summary>Jobs per invocation of Hangfire.PostgreSql.</summary>
    public const int HangfireJobs = 1_000;

    /// <summary>Concurrent producers, each awaiting its own enqueues (a web host has many callers).</summary>
    public const int Producers = 32;

    /// <summary>Workers (concurrency) of every job system.</summary>
    public const int Workers = 16;

    private const int SmokeJobs = 50;
    private static readonly bool IsSmoke = Environment.GetCommandLineArgs().Contains(BenchmarkConfig.SmokeArgument, StringComparer.Ordinal);

    private readonly System.Diagnostics.Process _process = System.Diagnostics.Process.GetCurrentProcess();
    private BenchmarkQueue? _queue;
    private TimeSpan _cpu;
    private long _jobs;

    /// <summary>Starts PostgreSQL and Hangfire with Hangfire.PostgreSql storage.</summary>
    [GlobalSetup(Target = nameof(Hangfire_PostgreSql))]
    public async Task SetupHangfireAsync() => _queue = await HangfirePostgreSqlQueue.StartAsync(Workers);

    /// <summary>Starts PostgreSQL and a Strata host on the database backend.</summary>
    [GlobalSetup(Target = nameof(Strata_database_PostgreSql))]
    public async Task SetupStrataDatabaseAsync() => _queue = await StrataQueue.StartOnPostgreSqlAsync(Workers);

    /// <summary>Starts a redis-server and a Strata host on the Redis backend.</summary>
    [GlobalSetup(Target = nameof(Strata_Redis))]
    public async Task SetupStrataRedisAsync() => _queue = await StrataQueue.StartOnRedisAsync(Workers);

    /// <summary>Prints CPU per job and the enqueue-to-start times, checks the last invocation's jobs, stops the case's servers.</summary>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_jobs > 0)
        {
            Console.WriteLine(FormattableString.Invariant($"// CPU per job: {_cpu.TotalMicroseconds / _jobs:F2} us over {_jobs} jobs"));
        }

        Console.WriteLine($"// Enqueue to start under load: {_queue?.Latency.Describe()}");
        _process.Dispose();
        if (_queue is not null)
        {
            await _queue.DisposeAsync();
        }
    }

    /// <summary>Hangfire 1.8 on Hangfire.PostgreSql 1.21.</summary>
    /// <returns>A task.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = HangfireJobs)]
    public Task Hangfire_PostgreSql() => RunAsync(HangfireJobs);

    /// <summary>Strata.Jobs.EntityFrameworkCore on PostgreSQL.</summary>
    /// <returns>A task.</returns>
    [Benchmark(OperationsPerInvoke = StrataDatabaseJobs)]
    public Task Strata_database_PostgreSql() => RunAsync(StrataDatabaseJobs);

    /// <summary>Strata.Jobs.Redis.</summary>
    /// <returns>A task.</returns>
    [Benchmark(OperationsPerInvoke = StrataRedisJobs)]
    public Task Strata_Redis() => RunAsync(StrataRedisJobs);

    private async Task RunAsync(int measured)
    {
        var n = IsSmoke ? Math.Min(measured, SmokeJobs) : measured;
        var queue = _queue!;
        _process.Refresh();
        var before = _process.TotalProcessorTime;
        var done = queue.ExpectDone(n);
        var next = -1;
        var producers = new Task[Producers];
        for (var p = 0; p < producers.Length; p++)
        {
            producers[p] = queue.BlocksOnEnqueue
                ? Task.Factory.StartNew(() => Produce().AsTask().GetAwaiter().GetResult(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                : Task.Run(() => Produce().AsTask());
        }

        await Task.WhenAll(producers);
        await done;
        await queue.ConfirmDoneAsync();
        _process.Refresh();
        _cpu += _process.TotalProcessorTime - before;
        _jobs += n;

        async ValueTask Produce()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < n)
            {
                await queue.EnqueueAsync(i);
            }
        }
    }
}
