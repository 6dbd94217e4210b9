using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>
/// Redis goes down while a job runs, so the worker cannot record the job's outcome (here: a retry after the first run
/// failed). The entry stays pending in Redis; the worker must stop holding it (no more heartbeats), so that once Redis
/// is back its lease runs out and it is delivered again, instead of staying "running" for as long as the worker lives.
/// </summary>
public sealed class OutcomeRecordingFaultTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_job_whose_retry_could_not_be_recorded_while_redis_was_down_is_delivered_again_and_succeeds()
    {
        await using var server = await RedisServer.StartAsync(["--appendonly", "yes", "--appendfsync", "always"]);

        // Short command timeouts, so recording the outcome gives up quickly while Redis is down.
        await using var connection = await server.ConnectAsync(o =>
        {
            o.AsyncTimeout = 1000;
            o.SyncTimeout = 1000;
        });
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.AddFakeLogging();
        builder.Services.AddSingleton<IConnectionMultiplexer>(connection);
        builder.Services.AddSingleton<FirstRunGate>();
        builder.Services.AddStrataJobs(o =>
            {
                o.Concurrency = 1;
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
                o.RetryMaxDelay = TimeSpan.FromMilliseconds(200);
            })
            .AddHandler<FailsFirstJob, FailsFirstJobHandler>()
            .UseRedis(o =>
            {
                o.KeyPrefix = RedisFixture.UniquePrefix();
                // Several heartbeats (a third of the lease) fit in a lease even with the 1 s command timeouts: a worker
                // that still heart-beats the entry keeps it for good.
                o.LeaseTime = TimeSpan.FromSeconds(4);
                o.PollInterval = TimeSpan.FromMilliseconds(300);
            });
        using var host = builder.Build();
        await host.StartAsync();
        var gate = host.Services.GetRequiredService<FirstRunGate>();
        var logs = host.Services.GetFakeLogCollector();
        var store = host.Services.GetRequiredService<IJobStore>();

        var id = await host.Services.GetRequiredService<IJobQueue>().EnqueueAsync(new FailsFirstJob("one"));
        await gate.Started.Task.WaitAsync(Limit);
        await server.KillAsync();
        gate.Release.SetResult();   // the first run fails now, and its retry cannot be written: Redis is down
        await WaitUntilAsync(() => Task.FromResult(logs.GetSnapshot().Any(r => r.Category == "Strata.Jobs.JobWorker" && r.Id.Id == 6)));
        await server.RestartAsync();

        JobInfo? info = null;
        await WaitUntilAsync(async () =>
        {
            try
            {
                info = await store.GetAsync(id);
            }
            catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
            {
                // Not reconnected yet: a command can time out in the client's backlog (RedisTimeoutException is a
                // TimeoutException, not a RedisException).
                return false;
            }

            return info?.State == JobState.Succeeded;
        });

        info!.State.Should().Be(JobState.Succeeded, "the pending entry is delivered again once Redis is back");
        gate.Runs.Should().BeGreaterThan(1);
        await host.StopAsync();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > Limit)
            {
                throw new TimeoutException($"The condition did not hold within {Limit.TotalSeconds:0} s.");
            }

            await Task.Delay(100);
        }
    }
}

/// <summary>A job whose first run fails (after the test lets it); every later run succeeds.</summary>
public sealed record FailsFirstJob(string Name);

/// <summary>Lets the test hold the first run of <see cref="FailsFirstJob"/> until Redis is down, and counts the runs.</summary>
public sealed class FirstRunGate
{
    private int _runs;

    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Runs => Volatile.Read(ref _runs);

    public int Enter() => Interlocked.Increment(ref _runs);
}

public sealed class FailsFirstJobHandler(FirstRunGate gate) : IJobHandler<FailsFirstJob>
{
    public async Task HandleAsync(FailsFirstJob job, JobContext context)
    {
        if (gate.Enter() == 1)
        {
            gate.Started.TrySetResult();
            await gate.Release.Task;
            throw new InvalidOperationException("The first run fails.");
        }
    }
}
