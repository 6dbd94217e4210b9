using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Coravel;
using Coravel.Invocable;
using Coravel.Queuing.Interfaces;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.Redis.StackExchange;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Strata.Benchmarks.Infrastructure;
using Strata.Jobs;
using Strata.Testing;

namespace Strata.Benchmarks.Jobs;

/// <summary>
/// End-to-end throughput of no-op jobs: enqueue N jobs through each library's public client, let its workers
/// run them, and stop the clock only when the last job's completion is observed. One operation is one job.
/// <list type="bullet">
/// <item>Baseline: a raw bounded <see cref="Channel{T}"/> of <see cref="int"/> with one reader loop (no job system at all).</item>
/// <item>Strata (in-memory and Redis): <see cref="IJobQueue.EnqueueAsync{TJob}"/>, a handler resolved in a fresh DI scope,
/// status recorded in the store. The clock stops when the <c>strata.jobs.succeeded</c> counter, which the worker adds to
/// only after the store recorded the job as Succeeded, has counted all N; cleanup then reads every job of the last
/// invocation back through <see cref="IJobStore"/> and throws unless each one is Succeeded.</item>
/// <item>Hangfire (Hangfire.InMemory and Hangfire.Redis.StackExchange storage): <c>BackgroundJobClient.Enqueue</c>, a
/// <c>BackgroundJobServer</c>; the clock stops when the handler ran N times and Hangfire's statistics count N more
/// succeeded jobs.</item>
/// <item>Coravel: <c>QueueInvocableWithPayload</c>; its host consumes the queue on a timer (30 s by default, 1 s at
/// least), so the benchmark calls the queue's own <c>ConsumeQueueAsync</c> (what that timer calls) right after
/// enqueuing, and stops the clock when it returns with N handler runs. No status is recorded (Coravel has none).</item>
/// </list>
/// Each case runs a different number of jobs per invocation (so a slow peer's invocation stays near a second); the
/// throughput columns divide by that number. Under <c>--smoke</c> every case runs a few jobs only.
/// </summary>
[RequestThroughput]
[MemoryDiagnoser]
[BenchmarkCategory("Jobs", "EndToEnd")]
public class JobThroughputBenchmarks
{
    /// <summary>Jobs per invocation of the channel baseline.</summary>
    public const int ChannelItems = 1_000_000;

    /// <summary>Jobs per invocation of Strata's in-memory backend.</summary>
    public const int StrataInMemoryJobs = 200_000;

    /// <summary>Jobs per invocation of Strata's Redis backend.</summary>
    public const int StrataRedisJobs = 20_000;

    /// <summary>Jobs per invocation of Hangfire with in-memory storage.</summary>
    public const int HangfireInMemoryJobs = 10_000;

    /// <summary>Jobs per invocation of Hangfire with Redis storage.</summary>
    public const int HangfireRedisJobs = 1_000;

    /// <summary>Jobs per invocation of Coravel's queue.</summary>
    public const int CoravelJobs = 100_000;

    /// <summary>Concurrent producers for the Redis cases (each awaits its own enqueues; a web host has many callers).</summary>
    public const int RedisProducers = 32;

    /// <summary>Workers (concurrency) of every job system.</summary>
    public const int Workers = 16;

    private const int SmokeJobs = 100;
    private const int ChannelCapacity = 10_000;

    private static readonly bool IsSmoke = Environment.GetCommandLineArgs().Contains(BenchmarkConfig.SmokeArgument, StringComparer.Ordinal);

    private readonly CompletionCounter _handled = new();
    private readonly System.Diagnostics.Process _process = System.Diagnostics.Process.GetCurrentProcess();
    private TimeSpan _cpu;
    private long _jobs;

    // Channel baseline.
    private Channel<int>? _channel;
    private Task? _channelReader;
    private CancellationTokenSource? _channelStop;

    // Strata.
    private IHost? _strataHost;
    private IJobQueue? _strataQueue;
    private SucceededCounter? _strataSucceeded;
    private string[] _strataIds = [];

    // Redis (Strata and Hangfire), each case with a server of its own.
    private RedisServer? _redis;
    private ConnectionMultiplexer? _redisConnection;

    // Hangfire.
    private JobStorage? _hangfireStorage;
    private BackgroundJobServer? _hangfireServer;
    private BackgroundJobClient? _hangfireClient;

    // Coravel.
    private ServiceProvider? _coravelServices;
    private IQueue? _coravelQueue;

    /// <summary>Starts the channel and its reader loop.</summary>
    [GlobalSetup(Target = nameof(Channel_baseline))]
    public void SetupChannel()
    {
        _channel = Channel.CreateBounded<int>(new BoundedChannelOptions(ChannelCapacity)
        {
            SingleReader = false,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        _channelStop = new CancellationTokenSource();
        var reader = _channel.Reader;
        var stop = _channelStop.Token;
        _channelReader = Task.Run(async () =>
        {
            try
            {
                while (await reader.WaitToReadAsync(stop))
                {
                    while (reader.TryRead(out _))
                    {
                        _handled.Add();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>Starts a Strata host with the in-memory backend.</summary>
    [GlobalSetup(Target = nameof(Strata_in_memory))]
    public Task SetupStrataInMemory() => StartStrataAsync(redis: false);

    /// <summary>Starts a redis-server and a Strata host with the Redis backend.</summary>
    [GlobalSetup(Target = nameof(Strata_Redis))]
    public Task SetupStrataRedis() => StartStrataAsync(redis: true);

    /// <summary>Starts a Hangfire server with Hangfire.InMemory storage.</summary>
    [GlobalSetup(Target = nameof(Hangfire_in_memory))]
    public void SetupHangfireInMemory() => StartHangfire(new InMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromSeconds(30) }));

    /// <summary>Starts a redis-server and a Hangfire server with Redis storage.</summary>
    [GlobalSetup(Target = nameof(Hangfire_Redis))]
    public async Task SetupHangfireRedis()
    {
        await StartRedisAsync();
        StartHangfire(new RedisStorage(_redisConnection!, new RedisStorageOptions { Prefix = "hangfire:" }));
    }

    /// <summary>Builds a service provider with Coravel's queue.</summary>
    [GlobalSetup(Target = nameof(Coravel_queue))]
    public void SetupCoravel()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddQueue();
        services.AddSingleton(_handled);
        services.AddTransient<CoravelNoopInvocable>();
        _coravelServices = services.BuildServiceProvider();
        _coravelQueue = _coravelServices.GetRequiredService<IQueue>();
    }

    /// <summary>Checks the last invocation's jobs and stops whatever the case started.</summary>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        // CPU time of this process (all threads: producers, workers, GC; not redis-server's) per job: far less
        // sensitive than wall time to other processes on a shared machine.
        if (_jobs > 0)
        {
            Console.WriteLine(FormattableString.Invariant($"// CPU per job: {_cpu.TotalMicroseconds / _jobs:F2} us over {_jobs} jobs"));
        }

        _process.Dispose();
        if (_channelStop is not null)
        {
            await _channelStop.CancelAsync();
            await _channelReader!;
            _channelStop.Dispose();
        }

        if (_strataHost is not null)
        {
            await VerifyStrataAsync();
            await _strataHost.StopAsync();
            _strataHost.Dispose();
            _strataSucceeded?.Dispose();
        }

        if (_hangfireServer is not null)
        {
            _hangfireServer.SendStop();
            _hangfireServer.Dispose();  // waits for its workers to stop
            (_hangfireStorage as IDisposable)?.Dispose();
        }

        if (_coravelServices is not null)
        {
            await _coravelServices.DisposeAsync();
        }

        if (_redisConnection is not null)
        {
            await _redisConnection.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    /// <summary>A bounded channel of ints, written by one producer and drained by one reader loop: the floor.</summary>
    /// <returns>A task.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = ChannelItems)]
    public Task Channel_baseline() => MeasureCpuAsync(Count(ChannelItems), Channel_baselineCoreAsync);

    private async Task Channel_baselineCoreAsync(int n)
    {
        var done = _handled.Expect(n);
        var writer = _channel!.Writer;
        for (var i = 0; i < n; i++)
        {
            if (!writer.TryWrite(i))
            {
                await writer.WriteAsync(i);
            }
        }

        await done;
    }

    /// <summary>Strata.Jobs, in-memory backend: one producer awaiting each <c>EnqueueAsync</c>.</summary>
    /// <returns>A task.</returns>
    [Benchmark(OperationsPerInvoke = StrataInMemoryJobs)]
    public Task Strata_in_memory() => MeasureCpuAsync(Count(StrataInMemoryJobs), Strata_in_memoryCoreAsync);

    private async Task Strata_in_memoryCoreAsync(int n)
    {
        var done = _strataSucceeded!.Expect(n);
        var queue = _strataQueue!;
        var ids = _strataIds;
        for (var i = 0; i < n; i++)
        {
            ids[i] = await queue.EnqueueAsync(new NoopJob(i));
        }

        await done;
    }

    /// <summary>Strata.Jobs.Redis: <see cref="RedisProducers"/> producers, each awaiting its own <c>EnqueueAsync</c> calls.</summary>
    /// <returns>A task.</returns>
    [Benchmark(OperationsPerInvoke = StrataRedisJobs)]
    public Task Strata_Redis() => MeasureCpuAsync(Count(StrataRedisJobs), Strata_RedisCoreAsync);

    private async Task Strata_RedisCoreAsync(int n)
    {
        var done = _strataSucceeded!.Expect(n);
        var queue = _strataQueue!;
        var ids = _strataIds;
        var next = -1;
        var producers = new Task[RedisProducers];
        for (var p = 0; p < producers.Length; p++)
        {
            producers[p] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < n)
                {
                    ids[i] = await queue.EnqueueAsync(new NoopJob(i));
                }
            });
        }

        await Task.WhenAll(producers);
        await done;
    }

    /// <summary>Hangfire with Hangfire.InMemory storage: one producer.</summary>
    /// <returns>A task.</returns>
    [Benchmark(OperationsPerInvoke = HangfireInMemoryJobs)]
    public Task Hangfire_in_memory() => MeasureCpuAsync(Count(HangfireInMemoryJobs), n => RunHangfireAsync(n, producers: 1));

    /// <summary>Hangfire with Redis storage: <see cref="RedisProducers"/> producers (its client blocks on each enqueue).</summary>
    /// <returns>A task.</returns>
    [Benchmark(OperationsPerInvoke = HangfireRedisJobs)]
    public Task Hangfire_Redis() => MeasureCpuAsync(Count(HangfireRedisJobs), n => RunHangfireAsync(n, RedisProducers));

    /// <summary>Coravel's in-memory queue: enqueue, then the consumption its host's timer would start.</summary>
    /// <returns>A task.</returns>
    [Benchmark(OperationsPerInvoke = CoravelJobs)]
    public Task Coravel_queue() => MeasureCpuAsync(Count(CoravelJobs), Coravel_queueCoreAsync);

    private async Task Coravel_queueCoreAsync(int n)
    {
        var done = _handled.Expect(n);
        var queue = _coravelQueue!;
        for (var i = 0; i < n; i++)
        {
            queue.QueueInvocableWithPayload<CoravelNoopInvocable, NoopJob>(new NoopJob(i));
        }

        await ((Coravel.Queuing.Queue)queue).ConsumeQueueAsync();
        if (!done.IsCompleted)
        {
            throw new InvalidOperationException($"Coravel consumed its queue but ran {_handled.Count} of {n} jobs.");
        }
    }

    private static int Count(int measured) => IsSmoke ? Math.Min(measured, SmokeJobs) : measured;

    private async Task MeasureCpuAsync(int jobs, Func<int, Task> run)
    {
        _process.Refresh();
        var before = _process.TotalProcessorTime;
        await run(jobs);
        _process.Refresh();
        _cpu += _process.TotalProcessorTime - before;
        _jobs += jobs;
    }

    private async Task StartStrataAsync(bool redis)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        var jobs = builder.Services.AddStrataJobs(o =>
            {
                o.Concurrency = Workers;

                // Finished jobs' status is kept this long: at a million jobs a second, a day of status does not fit in memory.
                o.RetentionPeriod = redis ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(2);
            })
            .AddHandler<NoopJob, NoopJobHandler>();
        if (redis)
        {
            await StartRedisAsync();
            builder.Services.AddSingleton<IConnectionMultiplexer>(_redisConnection!);
            jobs.UseRedis();
        }

        var host = builder.Build();
        _strataSucceeded = new SucceededCounter(host.Services);
        await host.StartAsync();
        _strataHost = host;
        _strataQueue = host.Services.GetRequiredService<IJobQueue>();
        _strataIds = new string[redis ? StrataRedisJobs : StrataInMemoryJobs];

        // One job through before BenchmarkDotNet's own warm-up: the consumer group, the scripts, the JSON metadata.
        var warm = _strataSucceeded.Expect(1);
        await _strataQueue.EnqueueAsync(new NoopJob(-1));
        await warm;
    }

    private async Task StartRedisAsync()
    {
        _redis = await RedisServer.StartAsync();
        _redisConnection = await _redis.ConnectAsync();
    }

    private async Task VerifyStrataAsync()
    {
        var store = _strataHost!.Services.GetRequiredService<IJobStore>();
        var checkedJobs = 0;
        foreach (var id in _strataIds)
        {
            if (id is null)
            {
                break;
            }

            var info = await store.GetAsync(id);
            if (info?.State != JobState.Succeeded)
            {
                throw new InvalidOperationException($"Job {id} is {info?.State.ToString() ?? "unknown"} after the benchmark observed its completion.");
            }

            checkedJobs++;
        }

        Console.WriteLine($"// Strata: {checkedJobs} jobs of the last invocation read back as Succeeded.");
    }

    private void StartHangfire(JobStorage storage)
    {
        _hangfireStorage = storage;
        HangfireNoopJob.Counter = _handled;
        _hangfireClient = new BackgroundJobClient(storage);
        _hangfireServer = new BackgroundJobServer(
            new BackgroundJobServerOptions
            {
                WorkerCount = Workers,
                ServerName = "strata-benchmarks",
                ShutdownTimeout = TimeSpan.FromSeconds(10),
            },
            storage);
    }

    private async Task RunHangfireAsync(int n, int producers)
    {
        var monitoring = _hangfireStorage!.GetMonitoringApi();
        var succeededBefore = monitoring.GetStatistics().Succeeded;
        var done = _handled.Expect(n);
        var client = _hangfireClient!;
        var next = -1;
        var tasks = new Task[producers];
        for (var p = 0; p < tasks.Length; p++)
        {
            // Hangfire's client blocks on every call: give each producer a thread of its own, not a pool thread.
            tasks[p] = Task.Factory.StartNew(
                () =>
                {
                    while (Interlocked.Increment(ref next) < n)
                    {
                        client.Enqueue<HangfireNoopJob>(j => j.Run());
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        await Task.WhenAll(tasks);
        await done;

        // The handler has run N times; the job is done for Hangfire when its state is Succeeded.
        while (monitoring.GetStatistics().Succeeded < succeededBefore + n)
        {
            await Task.Delay(1);
        }
    }

    /// <summary>The no-op job of every case.</summary>
    /// <param name="N">A sequence number (so the payload is not empty).</param>
    public sealed record NoopJob(int N);

    /// <summary>Strata's no-op handler.</summary>
    public sealed class NoopJobHandler : IJobHandler<NoopJob>
    {
        /// <inheritdoc />
        public Task HandleAsync(NoopJob job, JobContext context) => Task.CompletedTask;
    }

    /// <summary>Hangfire's no-op job (Hangfire activates it by type and calls <see cref="Run"/>).</summary>
    public sealed class HangfireNoopJob
    {
        internal static CompletionCounter? Counter { get; set; }

        /// <summary>Counts the run.</summary>
        public void Run() => Counter!.Add();
    }

    /// <summary>Coravel's no-op invocable.</summary>
    public sealed class CoravelNoopInvocable(CompletionCounter counter) : IInvocable, IInvocableWithPayload<NoopJob>
    {
        /// <inheritdoc />
        public NoopJob Payload { get; set; } = null!;

        /// <inheritdoc />
        public Task Invoke()
        {
            counter.Add();
            return Task.CompletedTask;
        }
    }
}
