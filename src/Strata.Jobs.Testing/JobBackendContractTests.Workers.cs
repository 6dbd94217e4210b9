using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Strata.Jobs.Backends;
using Xunit;

namespace Strata.Jobs.Testing;

/// <summary>The contract, continued: weighted queues and concurrency, the shutdown drain, metrics, traces and health.</summary>
public abstract partial class JobBackendContractTests
{
    /// <summary>Queues weighted 3 to 1 share one worker in about that ratio.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Weighted_queues_share_one_worker_without_starving_the_light_queue()
    {
        var host = await StartHostAsync(o =>
        {
            o.Concurrency = 1;
            o.AddQueue("default").AddQueue("heavy", weight: 3).AddQueue("light", weight: 1);
        });

        var gate = await host.Queue.EnqueueAsync(new RecordJob("gate"));
        await host.WaitForStateAsync(gate, JobState.Running);
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add(await host.Queue.EnqueueAsync(new RecordJob($"heavy-{i}"), new JobOptions { Queue = "heavy" }));
        }

        for (var i = 0; i < 10; i++)
        {
            ids.Add(await host.Queue.EnqueueAsync(new RecordJob($"light-{i}"), new JobOptions { Queue = "light" }));
        }

        host.Probe.Gate.SetResult();
        foreach (var id in ids)
        {
            await host.WaitForStateAsync(id, JobState.Succeeded);
        }

        var order = host.Probe.Runs.Skip(1).ToList();
        var firstTwenty = order.Take(20).ToList();

        // Weight 1 of 4 gives the light queue about a quarter of the starts.
        Assert.InRange(firstTwenty.Count(k => k.StartsWith("light", StringComparison.Ordinal)), 3, 7);
        Assert.True(order.IndexOf("light-0") < order.IndexOf("heavy-29"), "the light queue's first job ran before the heavy queue's last");
    }

    /// <summary>A queue's own concurrency limit holds while the host has room.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Per_queue_concurrency_limits_running_jobs_of_that_queue()
    {
        var host = await StartHostAsync(o =>
        {
            o.Concurrency = 4;
            o.AddQueue("default").AddQueue("narrow", maxConcurrency: 1);
        });

        var first = await host.Queue.EnqueueAsync(new BlockingJob("n1"), new JobOptions { Queue = "narrow" });
        var second = await host.Queue.EnqueueAsync(new BlockingJob("n2"), new JobOptions { Queue = "narrow" });
        var other = await host.Queue.EnqueueAsync(new EchoJob("free"));
        await host.Probe.WaitStartedAsync("n1");
        await host.WaitForStateAsync(other, JobState.Succeeded);

        Assert.Equal(JobState.Queued, (await host.Store.GetAsync(second))!.State);
        await host.Queue.CancelAsync(first);
        await host.Probe.WaitStartedAsync("n2");
        await host.Queue.CancelAsync(second);
        await host.WaitForStateAsync(second, JobState.Cancelled);
    }

    /// <summary>Many short jobs all succeed, never more at once than the concurrency.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Many_short_jobs_all_succeed_and_never_more_handlers_run_at_once_than_the_concurrency()
    {
        // A job whose handler is done gives its slot back while its success is still being recorded; the limit on
        // running handlers must hold regardless.
        var host = await StartHostAsync(o => o.Concurrency = 3);

        var ids = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            ids.Add(await host.Queue.EnqueueAsync(new SlowJob($"s{i}", 2)));
        }

        foreach (var id in ids)
        {
            await host.WaitForStateAsync(id, JobState.Succeeded);
        }

        Assert.Equal(60, host.Probe.Runs.Count);
        Assert.InRange(host.Probe.MaxRunning, 1, 3);
    }

    /// <summary>Shutdown waits for running jobs within the drain window.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Shutdown_lets_running_jobs_finish_within_the_drain_window()
    {
        var host = await StartHostAsync(o => o.ShutdownDrainTimeout = TimeSpan.FromSeconds(10));

        var id = await host.Queue.EnqueueAsync(new SlowJob("s", 300));
        await host.Probe.WaitStartedAsync("s");
        await host.StopAsync();

        Assert.Contains("s", host.Probe.Runs);
        Assert.Equal(JobState.Succeeded, (await host.Store.GetAsync(id))!.State);
    }

    /// <summary>A job still running past the drain window is stopped and given back, attempt unchanged.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Shutdown_past_the_drain_window_fires_the_token_and_puts_the_job_back_on_the_queue()
    {
        var host = await StartHostAsync(o => o.ShutdownDrainTimeout = TimeSpan.FromMilliseconds(100));

        var id = await host.Queue.EnqueueAsync(new BlockingJob("b"));
        await host.Probe.WaitStartedAsync("b");
        await host.WaitForStateAsync(id, JobState.Running);
        await host.StopAsync();

        Assert.Contains("b", host.Probe.TokensFired);
        var info = await host.Store.GetAsync(id);
        Assert.NotNull(info);
        Assert.Equal(JobState.Queued, info!.State);
        Assert.Equal(1, info.Attempt);
    }

    /// <summary>Jobs received in a batch but not started are given back on shutdown, and none is lost.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Jobs_received_but_not_started_go_back_to_the_queue_on_shutdown_and_are_not_lost()
    {
        // Three jobs wait before the workers start, so the first receive takes all three as one batch. The first
        // holds the worker's thread without awaiting, so the other two are received but cannot start. Nothing
        // here depends on timing: the holder lets go only when shutdown fires its token. The backend is wrapped
        // to count what the worker holds, through the public contract.
        var probe = new JobProbe();
        var ids = new List<string>();
        DeliveryCountingBackend? counting = null;
        var host = await StartHostCoreAsync(
            o => o.ShutdownDrainTimeout = TimeSpan.FromMilliseconds(100),
            services: null,
            probe,
            beforeStart: async services =>
            {
                var queue = services.GetRequiredService<IJobQueue>();
                ids.Add(await queue.EnqueueAsync(new ThreadHoldingJob("holder")));
                ids.Add(await queue.EnqueueAsync(new EchoJob("second")));
                ids.Add(await queue.EnqueueAsync(new EchoJob("third")));
            },
            afterBackend: services => WrapBackend(services, inner => counting = new DeliveryCountingBackend(inner)));
        await probe.WaitStartedAsync("holder");
        Assert.NotNull(counting);
        Assert.Equal(3, counting!.FirstBatch);
        Assert.Equal(3, counting.Held);
        Assert.Empty(probe.Runs);

        await host.StopAsync();

        Assert.Contains("holder", probe.TokensFired);
        Assert.Empty(probe.Runs);
        Assert.Equal(0, counting.Held);
        foreach (var id in ids)
        {
            Assert.Equal(JobState.Queued, (await host.Store.GetAsync(id))!.State);
        }

        if (!host.Backend.JobsLiveInProcess)
        {
            // Another host on the same store runs every one of them, once.
            probe.ThreadGate.Set();
            var next = await StartHostAsync(probe: probe);
            foreach (var id in ids)
            {
                var info = await next.WaitForStateAsync(id, JobState.Succeeded);
                Assert.Equal(0, info.Redeliveries);
            }

            Assert.Equal(new[] { "holder", "second", "third" }, probe.Runs.OrderBy(r => r, StringComparer.Ordinal));
        }
        else
        {
            // In process: the three are back in the queue, ready for this host's workers if they started again.
            Assert.Equal(3, host.Backend.GetDepth(JobsOptions.DefaultQueueName));
        }
    }

    /// <summary>A receive that fails gives the worker's slots back once: concurrency holds afterwards.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task A_failed_receive_gives_its_slots_back_once()
    {
        // Concurrency 2 and the first receive fails. Were its two slots given back twice, the worker would hold four
        // and start four of the six waiting jobs at once (one receive takes as many as it has slots for).
        var probe = new JobProbe();
        DeliveryCountingBackend? counting = null;
        var ids = new List<string>();
        var host = await StartHostCoreAsync(
            o => o.Concurrency = 2,
            services: null,
            probe,
            beforeStart: async services =>
            {
                var queue = services.GetRequiredService<IJobQueue>();
                for (var i = 0; i < 6; i++)
                {
                    ids.Add(await queue.EnqueueAsync(new SlowJob($"s{i}", 500)));
                }
            },
            afterBackend: services => WrapBackend(services, inner => counting = new DeliveryCountingBackend(inner) { FailingReceives = 1 }));

        foreach (var id in ids)
        {
            await host.WaitForStateAsync(id, JobState.Succeeded);
        }

        Assert.Equal(0, counting!.FailingReceives);
        Assert.Equal(2, probe.MaxRunning);
    }

    /// <summary>
    /// While a job's success is on its way to a slow store, its slot goes back so the next job can run, but only for as
    /// many jobs at once as the concurrency: each round below runs exactly one more job while the first waits.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task A_slot_comes_back_while_a_success_is_recorded_and_does_so_again_later()
    {
        var probe = new JobProbe();
        DeliveryCountingBackend? counting = null;
        var host = await StartHostCoreAsync(
            o => o.Concurrency = 1,
            services: null,
            probe,
            beforeStart: null,
            afterBackend: services => WrapBackend(services, inner => counting = new DeliveryCountingBackend(inner)));

        foreach (var round in new[] { "a", "b" })
        {
            var store = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            counting!.SuccessGate = store.Task;
            var before = probe.Runs.Count;
            var ids = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                ids.Add(await host.Queue.EnqueueAsync(new EchoJob($"{round}{i}")));
            }

            // The first job's success is held: its slot came back, so the second ran with concurrency 1.
            await WaitUntilAsync(() => Task.FromResult(probe.Runs.Count == before + 2));
            store.SetResult();
            foreach (var id in ids)
            {
                await host.WaitForStateAsync(id, JobState.Succeeded);
            }
        }
    }

    /// <summary>The job counters and durations are recorded.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Metrics_count_enqueued_started_succeeded_retried_and_dead_lettered_jobs()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 2);
        var factory = host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var enqueued = new MetricCollector<long>(factory, "Strata.Jobs", "strata.jobs.enqueued");
        using var succeeded = new MetricCollector<long>(factory, "Strata.Jobs", "strata.jobs.succeeded");
        using var retried = new MetricCollector<long>(factory, "Strata.Jobs", "strata.jobs.retried");
        using var dead = new MetricCollector<long>(factory, "Strata.Jobs", "strata.jobs.dead_lettered");
        using var runTime = new MetricCollector<double>(factory, "Strata.Jobs", "strata.jobs.run.duration");
        using var waitTime = new MetricCollector<double>(factory, "Strata.Jobs", "strata.jobs.wait.duration");
        using var started = new MetricCollector<long>(factory, "Strata.Jobs", "strata.jobs.started");
        using var failed = new MetricCollector<long>(factory, "Strata.Jobs", "strata.jobs.failed");

        var ok = await host.Queue.EnqueueAsync(new EchoJob("m"));
        var bad = await host.Queue.EnqueueAsync(new FlakyJob("f", FailTimes: 5));
        await host.WaitForStateAsync(ok, JobState.Succeeded);
        await host.WaitForStateAsync(bad, JobState.Dead);

        Assert.Equal(2, enqueued.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Single(succeeded.GetMeasurementSnapshot(), m => (string?)m.Tags["strata.jobs.type"] == nameof(EchoJob));
        Assert.Equal(1, retried.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, dead.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(3, runTime.GetMeasurementSnapshot().Count);
        var waits = waitTime.GetMeasurementSnapshot();
        Assert.Equal(3, waits.Count);
        Assert.All(waits, m => Assert.True(m.Value >= 0, $"a wait of {m.Value} s"));
        Assert.Equal(3, started.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(2, failed.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    /// <summary>The depth gauge counts the jobs waiting in a queue.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Queue_depth_gauge_reports_waiting_jobs()
    {
        var host = await StartHostAsync(o => o.Concurrency = 1);
        var factory = host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var depth = new MetricCollector<long>(factory, "Strata.Jobs", "strata.jobs.queue.depth");

        var gate = await host.Queue.EnqueueAsync(new RecordJob("gate"));
        await host.WaitForStateAsync(gate, JobState.Running);
        for (var i = 0; i < 3; i++)
        {
            await host.Queue.EnqueueAsync(new RecordJob($"d{i}"));
        }

        await WaitUntilAsync(async () =>
        {
            depth.RecordObservableInstruments();
            await Task.Yield();
            return depth.LastMeasurement?.Value == 3;
        });
        Assert.Equal("default", depth.LastMeasurement!.Tags["strata.jobs.queue"]);
    }

    /// <summary>The job's span is in the trace of the code that enqueued it.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Job_span_continues_the_trace_of_the_code_that_enqueued_it()
    {
        var host = await StartHostAsync();
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Strata.Jobs" or "test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("test");

        string id;
        ActivityTraceId traceId;
        using (var request = source.StartActivity("request"))
        {
            traceId = request!.TraceId;
            id = await host.Queue.EnqueueAsync(new EchoJob("traced"));
        }

        await host.WaitForStateAsync(id, JobState.Succeeded);
        await WaitUntilAsync(() => Task.FromResult(stopped.Any(a => a.Kind == ActivityKind.Consumer && (string?)a.GetTagItem("messaging.message.id") == id)));

        var process = Assert.Single(stopped, a => a.Kind == ActivityKind.Consumer && (string?)a.GetTagItem("messaging.message.id") == id);
        Assert.Equal(traceId, process.TraceId);
        Assert.Equal("EchoJob process", process.DisplayName);
    }

    /// <summary>The jobs health check reports a reachable backend healthy.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Health_check_reports_the_backend_healthy()
    {
        var host = await StartHostAsync();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.True(report.Status == HealthStatus.Healthy, $"{report.Status}: {report.Entries.FirstOrDefault().Value.Description}");
    }

    /// <summary>Stores a job the way a host that registered <paramref name="jobType"/> would, with its payload as given: through the backend, as any host on the same store may.</summary>
    private static async Task<string> EnqueueRawAsync(TestJobsHost host, string jobType, string payload)
    {
        var backend = host.Backend;
        var now = TimeProvider.System.GetUtcNow();
        var envelope = new JobEnvelope
        {
            Id = backend.CreateJobId(JobsOptions.DefaultQueueName),
            JobType = jobType,
            Queue = JobsOptions.DefaultQueueName,
            Payload = payload,
            Attempt = 1,
            MaxAttempts = host.Services.GetRequiredService<IOptions<JobsOptions>>().Value.MaxAttempts,
            CreatedAt = now,
            EnqueuedAt = now,
        };
        var result = await backend.EnqueueAsync(envelope, runAt: null, waitForRoom: true, CancellationToken.None);
        Assert.Equal(EnqueueStatus.Enqueued, result.Status);
        return result.JobId ?? envelope.Id;
    }

    /// <summary>Replaces the backend registration with <paramref name="wrap"/> around the backend it would have made.</summary>
    private static void WrapBackend(IServiceCollection services, Func<IJobBackend, IJobBackend> wrap)
    {
        var descriptor = services.Last(d => d.ServiceType == typeof(IJobBackend));
        services.Remove(descriptor);
        services.AddSingleton(sp => wrap(descriptor switch
        {
            { ImplementationInstance: IJobBackend instance } => instance,
            { ImplementationFactory: { } factory } => (IJobBackend)factory(sp),
            _ => (IJobBackend)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!),
        }));
    }
}
