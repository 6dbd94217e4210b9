using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Tests.Contract;

/// <summary>
/// The behaviour every backend must show. Each backend's test class derives from this and says how to
/// plug the backend in; the tests themselves use only the public API (and one internal hook to send raw payloads).
/// </summary>
public abstract partial class JobQueueContractTests : JobsTestBase
{
    /// <summary>True when the jobs live in a store that another host reads (Redis), false when they die with the host (in memory).</summary>
    protected virtual bool JobsOutliveTheirHost => false;

    [Fact]
    public async Task Enqueued_job_runs_and_its_status_shows_result_and_progress()
    {
        var host = await StartHostAsync();

        var id = await host.Queue.EnqueueAsync(new EchoJob("hello"));
        var info = await host.WaitForStateAsync(id, JobState.Succeeded);

        info.JobType.Should().Be(nameof(EchoJob));
        info.Queue.Should().Be("default");
        info.Attempt.Should().Be(1);
        info.Progress.Should().Be(50);
        info.ProgressMessage.Should().Be("halfway");
        info.Result!.Value.GetProperty("upper").GetString().Should().Be("HELLO");
        info.StartedAt.Should().NotBeNull();
        info.CompletedAt.Should().BeOnOrAfter(info.StartedAt!.Value);
        info.Error.Should().BeNull();
        host.Probe.Runs.Should().Equal("hello");
    }

    [Fact]
    public async Task Each_job_gets_its_handler_from_a_fresh_scope()
    {
        var host = await StartHostAsync();

        var first = await host.Queue.EnqueueAsync(new ScopedJob("1"));
        var second = await host.Queue.EnqueueAsync(new ScopedJob("2"));
        await host.WaitForStateAsync(first, JobState.Succeeded);
        await host.WaitForStateAsync(second, JobState.Succeeded);

        host.Probe.Scopes.Should().HaveCount(2).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Failing_job_is_retried_until_it_succeeds()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 5);

        var id = await host.Queue.EnqueueAsync(new FlakyJob("k", FailTimes: 2));
        var info = await host.WaitForStateAsync(id, JobState.Succeeded);

        info.Attempt.Should().Be(3);
        host.Probe.Attempts["k"].Should().Be(3);
    }

    [Fact]
    public async Task Job_failing_every_attempt_is_dead_lettered_with_a_safe_error_and_can_be_requeued()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 3);

        var id = await host.Queue.EnqueueAsync(new FlakyJob("k", FailTimes: 3));
        var dead = await host.WaitForStateAsync(id, JobState.Dead);

        dead.Attempt.Should().Be(3);
        dead.Error.Should().Be("The handler failed with InvalidOperationException.");
        dead.Error.Should().NotContain("hunter2");
        host.Probe.Attempts["k"].Should().Be(3);

        (await host.Queue.RequeueAsync(id)).Should().BeTrue();
        var again = await host.WaitForStateAsync(id, JobState.Succeeded);
        again.Attempt.Should().Be(1);
        host.Probe.Attempts["k"].Should().Be(4);
    }

    [Fact]
    public async Task Requeue_of_a_job_that_is_not_dead_is_refused()
    {
        var host = await StartHostAsync();
        var id = await host.Queue.EnqueueAsync(new EchoJob("x"));
        await host.WaitForStateAsync(id, JobState.Succeeded);

        (await host.Queue.RequeueAsync(id)).Should().BeFalse();
        (await host.Queue.RequeueAsync("default.0123456789abcdef0123456789abcdef")).Should().BeFalse();
    }

    [Fact]
    public async Task Exception_filter_sends_a_non_retryable_failure_to_dead_letters_at_once()
    {
        var host = await StartHostAsync(o =>
        {
            o.MaxAttempts = 5;
            o.RetryOn = ex => ex is not InvalidOperationException;
        });

        var id = await host.Queue.EnqueueAsync(new FlakyJob("k", FailTimes: 5));
        var dead = await host.WaitForStateAsync(id, JobState.Dead);

        dead.Attempt.Should().Be(1);
        host.Probe.Attempts["k"].Should().Be(1);
    }

    [Fact]
    public async Task JobFailedException_that_is_not_retryable_dead_letters_with_its_own_message()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 5);

        var id = await host.Queue.EnqueueAsync(new RejectedJob("r1"));
        var dead = await host.WaitForStateAsync(id, JobState.Dead);

        dead.Attempt.Should().Be(1);
        dead.Error.Should().Be("Job r1 has an unsupported format.");
    }

    [Fact]
    public async Task Delayed_job_is_scheduled_first_and_runs_after_its_time()
    {
        var host = await StartHostAsync();
        var before = DateTimeOffset.UtcNow;

        // The delay leaves a loaded machine ample time to read the status before the job comes due.
        var id = await host.Queue.EnqueueAsync(new EchoJob("later"), new JobOptions { Delay = TimeSpan.FromMilliseconds(1500) });
        var scheduled = await host.Store.GetAsync(id);

        scheduled!.State.Should().Be(JobState.Scheduled);
        scheduled.ScheduledFor.Should().BeOnOrAfter(before.AddMilliseconds(1499), "stores may keep whole milliseconds");
        var done = await host.WaitForStateAsync(id, JobState.Succeeded);
        done.StartedAt.Should().BeOnOrAfter(scheduled.ScheduledFor!.Value.AddMilliseconds(-50));
    }

    [Fact]
    public async Task Same_idempotency_key_twice_gives_one_job()
    {
        var host = await StartHostAsync();

        var first = await host.Queue.EnqueueAsync(new EchoJob("once"), new JobOptions { IdempotencyKey = "order-42" });
        var second = await host.Queue.EnqueueAsync(new EchoJob("once"), new JobOptions { IdempotencyKey = "order-42" });
        var other = await host.Queue.EnqueueAsync(new EchoJob("other"), new JobOptions { IdempotencyKey = "order-43" });

        second.Should().Be(first);
        other.Should().NotBe(first);
        await host.WaitForStateAsync(first, JobState.Succeeded);
        await host.WaitForStateAsync(other, JobState.Succeeded);
        host.Probe.Runs.Count(r => r == "once").Should().Be(1);
    }

    [Fact]
    public async Task Attempt_past_its_timeout_fails_and_its_token_fires()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 2);

        var id = await host.Queue.EnqueueAsync(new BlockingJob("t"), new JobOptions { Timeout = TimeSpan.FromMilliseconds(100) });
        var dead = await host.WaitForStateAsync(id, JobState.Dead);

        dead.Attempt.Should().Be(2);
        dead.Error.Should().StartWith("The attempt timed out after");
        host.Probe.TokensFired.Should().Contain("t");
    }

    [Fact]
    public async Task Handler_that_hangs_past_its_timeout_is_abandoned_and_the_worker_keeps_running()
    {
        var host = await StartHostAsync(o =>
        {
            o.MaxAttempts = 1;
            o.Concurrency = 1;
        });

        var hung = await host.Queue.EnqueueAsync(new HangingJob("h"), new JobOptions { Timeout = TimeSpan.FromMilliseconds(100) });
        var dead = await host.WaitForStateAsync(hung, JobState.Dead);
        var next = await host.Queue.EnqueueAsync(new EchoJob("after"));

        dead.Error.Should().StartWith("The attempt timed out after");
        await host.WaitForStateAsync(next, JobState.Succeeded);
    }

    [Fact]
    public async Task Cancelling_a_waiting_job_marks_it_cancelled_and_it_never_runs()
    {
        var host = await StartHostAsync();

        // The delay leaves a loaded machine ample time to cancel before the job comes due; the probe comes due after it.
        var id = await host.Queue.EnqueueAsync(new EchoJob("never"), new JobOptions { Delay = TimeSpan.FromMilliseconds(1500) });
        (await host.Queue.CancelAsync(id)).Should().BeTrue();
        var probe = await host.Queue.EnqueueAsync(new EchoJob("probe"), new JobOptions { Delay = TimeSpan.FromMilliseconds(1800) });
        await host.WaitForStateAsync(probe, JobState.Succeeded);

        (await host.Store.GetAsync(id))!.State.Should().Be(JobState.Cancelled);
        host.Probe.Runs.Should().NotContain("never");
        (await host.Queue.CancelAsync(id)).Should().BeFalse();
    }

    [Fact]
    public async Task Cancelling_a_running_job_fires_its_token_and_records_cancelled()
    {
        var host = await StartHostAsync();

        var id = await host.Queue.EnqueueAsync(new BlockingJob("c"));
        await host.Probe.WaitStartedAsync("c");
        await host.WaitForStateAsync(id, JobState.Running);
        (await host.Queue.CancelAsync(id)).Should().BeTrue();

        var info = await host.WaitForStateAsync(id, JobState.Cancelled);
        info.CompletedAt.Should().NotBeNull();
        host.Probe.TokensFired.Should().Contain("c");
    }

    [Fact]
    public async Task Job_type_without_a_handler_is_dead_lettered_and_the_worker_keeps_running()
    {
        var host = await StartHostAsync();

        var id = await host.Internal.EnqueueRawAsync("NoSuchJob", "{}", null, CancellationToken.None);
        var dead = await host.WaitForStateAsync(id!, JobState.Dead);
        var next = await host.Queue.EnqueueAsync(new EchoJob("still alive"));

        dead.Error.Should().Be("No handler is registered for job type 'NoSuchJob'.");
        await host.WaitForStateAsync(next, JobState.Succeeded);
    }

    [Fact]
    public async Task Payload_that_does_not_deserialize_is_dead_lettered_and_the_worker_keeps_running()
    {
        var host = await StartHostAsync();

        var id = await host.Internal.EnqueueRawAsync(nameof(EchoJob), "{\"text\": {\"nested\": true}}", null, CancellationToken.None);
        var dead = await host.WaitForStateAsync(id!, JobState.Dead);
        var next = await host.Queue.EnqueueAsync(new EchoJob("still alive"));

        dead.Error.Should().Be("The payload could not be read as job type 'EchoJob' at $.text.");
        await host.WaitForStateAsync(next, JobState.Succeeded);
    }

    [Fact]
    public async Task Owner_sees_only_its_own_jobs()
    {
        var host = await StartHostAsync();

        var id = await host.Queue.EnqueueAsync(new EchoJob("mine"), new JobOptions { Owner = "key-1" });
        await host.WaitForStateAsync(id, JobState.Succeeded);

        (await host.Store.GetForOwnerAsync(id, "key-1"))!.Owner.Should().Be("key-1");
        (await host.Store.GetForOwnerAsync(id, "key-2")).Should().BeNull();
        (await host.Store.GetForOwnerAsync(id, null)).Should().BeNull();
    }

    [Fact]
    public async Task Unknown_job_id_has_no_status()
    {
        var host = await StartHostAsync();

        (await host.Store.GetAsync("default.0123456789abcdef0123456789abcdef")).Should().BeNull();
        (await host.Store.GetAsync("not an id at all")).Should().BeNull();
        (await host.Queue.CancelAsync("nope")).Should().BeFalse();
    }

    [Fact]
    public async Task Enqueue_of_an_unregistered_type_or_to_an_unknown_queue_throws_a_clear_exception()
    {
        var host = await StartHostAsync();

        var unregistered = async () => await host.Queue.EnqueueAsync(new Uri("http://example.invalid"));
        var unknownQueue = async () => await host.Queue.EnqueueAsync(new EchoJob("x"), new JobOptions { Queue = "nope" });

        (await unregistered.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*System.Uri is not registered*");
        (await unknownQueue.Should().ThrowAsync<ArgumentException>()).WithMessage("*Queue 'nope' is not configured*");
    }

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
        firstTwenty.Count(k => k.StartsWith("light", StringComparison.Ordinal)).Should().BeInRange(3, 7, "weight 1 of 4 gives the light queue about a quarter of the starts");
        order.IndexOf("light-0").Should().BeLessThan(order.IndexOf("heavy-29"));
    }

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

        (await host.Store.GetAsync(second))!.State.Should().Be(JobState.Queued);
        await host.Queue.CancelAsync(first);
        await host.Probe.WaitStartedAsync("n2");
        await host.Queue.CancelAsync(second);
        await host.WaitForStateAsync(second, JobState.Cancelled);
    }

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

        host.Probe.Runs.Should().HaveCount(60);
        host.Probe.MaxRunning.Should().BeInRange(1, 3);
    }

    [Fact]
    public async Task Shutdown_lets_running_jobs_finish_within_the_drain_window()
    {
        var host = await StartHostAsync(o => o.ShutdownDrainTimeout = TimeSpan.FromSeconds(10));

        var id = await host.Queue.EnqueueAsync(new SlowJob("s", 300));
        await host.Probe.WaitStartedAsync("s");
        await host.StopAsync();

        host.Probe.Runs.Should().Contain("s");
        (await host.Store.GetAsync(id))!.State.Should().Be(JobState.Succeeded);
    }

    [Fact]
    public async Task Shutdown_past_the_drain_window_fires_the_token_and_puts_the_job_back_on_the_queue()
    {
        var host = await StartHostAsync(o => o.ShutdownDrainTimeout = TimeSpan.FromMilliseconds(100));

        var id = await host.Queue.EnqueueAsync(new BlockingJob("b"));
        await host.Probe.WaitStartedAsync("b");
        await host.WaitForStateAsync(id, JobState.Running);
        await host.StopAsync();

        host.Probe.TokensFired.Should().Contain("b");
        var info = await host.Store.GetAsync(id);
        info!.State.Should().Be(JobState.Queued);
        info.Attempt.Should().Be(1);
    }

    [Fact]
    public async Task Jobs_received_but_not_started_go_back_to_the_queue_on_shutdown_and_are_not_lost()
    {
        // Three jobs wait before the workers start, so the first receive takes all three as one batch. The first
        // holds the worker's thread without awaiting, so the other two are received but cannot start. Nothing
        // here depends on timing: the holder lets go only when shutdown fires its token.
        var probe = new Probe();
        var ids = new List<string>();
        var host = await StartHostAsync(
            o => o.ShutdownDrainTimeout = TimeSpan.FromMilliseconds(100),
            probe: probe,
            beforeStart: async services =>
            {
                var queue = services.GetRequiredService<IJobQueue>();
                ids.Add(await queue.EnqueueAsync(new ThreadHoldingJob("holder")));
                ids.Add(await queue.EnqueueAsync(new EchoJob("second")));
                ids.Add(await queue.EnqueueAsync(new EchoJob("third")));
            });
        await probe.WaitStartedAsync("holder");
        var worker = host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<JobWorker>().Single();
        worker.InFlight.Should().Be(3, "all three jobs were received in one batch");
        probe.Runs.Should().BeEmpty("the jobs behind the holder cannot have started");

        await host.StopAsync();

        probe.TokensFired.Should().Contain("holder");
        probe.Runs.Should().BeEmpty("shutdown gave the waiting jobs back instead of running them");
        foreach (var id in ids)
        {
            (await host.Store.GetAsync(id))!.State.Should().Be(JobState.Queued);
        }

        if (JobsOutliveTheirHost)
        {
            // Another host on the same store runs every one of them, once.
            probe.ThreadGate.Set();
            var next = await StartHostAsync(probe: probe);
            foreach (var id in ids)
            {
                var info = await next.WaitForStateAsync(id, JobState.Succeeded);
                info.Redeliveries.Should().Be(0, "the jobs were handed back, not reclaimed after a crash");
            }

            probe.Runs.Should().BeEquivalentTo(["holder", "second", "third"]);
        }
        else
        {
            // In memory: the three are back in the channel, ready for this host's workers if they started again.
            host.Services.GetRequiredService<IJobBackend>().GetDepth(JobsOptions.DefaultQueueName).Should().Be(3);
        }
    }

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

        enqueued.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be(2);
        succeeded.GetMeasurementSnapshot().Should().ContainSingle(m => (string?)m.Tags["strata.jobs.type"] == nameof(EchoJob));
        retried.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be(1);
        dead.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be(1);
        runTime.GetMeasurementSnapshot().Should().HaveCount(3);
        waitTime.GetMeasurementSnapshot().Should().HaveCount(3).And.OnlyContain(m => m.Value >= 0);
        started.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be(3);
        failed.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be(2);
    }

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
        depth.LastMeasurement!.Tags["strata.jobs.queue"].Should().Be("default");
    }

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

        var process = stopped.Single(a => a.Kind == ActivityKind.Consumer && (string?)a.GetTagItem("messaging.message.id") == id);
        process.TraceId.Should().Be(traceId);
        process.DisplayName.Should().Be("EchoJob process");
    }

    [Fact]
    public async Task Health_check_reports_the_backend_healthy()
    {
        var host = await StartHostAsync();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        report.Status.Should().Be(HealthStatus.Healthy, report.Entries.FirstOrDefault().Value.Description);
    }
}
