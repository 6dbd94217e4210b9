using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>
/// Shutdown of the in-memory backend, where a waiting job lives nowhere but in this process: the workers run the jobs
/// still queued within the drain window, and jobs that are left anyway are logged as lost, with their count.
/// </summary>
public sealed class InMemoryShutdownTests : JobBackendTestBase
{
    protected override void UseBackend(JobsBuilder builder) => builder.UseInMemory();

    [Fact]
    public async Task Shutdown_runs_the_jobs_still_queued_in_memory_before_the_workers_stop()
    {
        var host = await StartHostAsync(o => { o.Concurrency = 1; o.ShutdownDrainTimeout = TimeSpan.FromSeconds(20); }, services: s => s.AddFakeLogging());
        var logs = host.Services.GetFakeLogCollector();
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add(await host.Queue.EnqueueAsync(new SlowJob($"s{i}", 50)));
        }

        await host.Probe.WaitStartedAsync("s0");
        (await host.Store.GetAsync(ids[^1]))!.State.Should().Be(JobState.Queued, "one worker slot: the later jobs wait in the queue when the stop begins");

        await host.StopAsync();

        foreach (var id in ids)
        {
            (await host.Store.GetAsync(id))!.State.Should().Be(JobState.Succeeded, "a job queued in memory at shutdown is run, not dropped with the process");
        }

        host.Probe.Runs.Should().HaveCount(8);
        logs.GetSnapshot().Should().Contain(r => r.Id.Name == "EmptyingQueues" && r.Level == LogLevel.Information);
        logs.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Jobs_left_waiting_when_the_drain_window_runs_out_are_logged_as_an_error_with_their_count()
    {
        var host = await StartHostAsync(o => { o.Concurrency = 1; o.ShutdownDrainTimeout = TimeSpan.FromMilliseconds(300); }, services: s => s.AddFakeLogging());
        var logs = host.Services.GetFakeLogCollector();
        var blocking = await host.Queue.EnqueueAsync(new BlockingJob("b"));
        await host.Probe.WaitStartedAsync("b");
        var waiting = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            waiting.Add(await host.Queue.EnqueueAsync(new EchoJob($"e{i}")));
        }

        var delayed = await host.Queue.EnqueueAsync(new EchoJob("later"), new JobOptions { Delay = TimeSpan.FromHours(1) });

        await host.StopAsync();

        host.Probe.TokensFired.Should().Contain("b", "the blocking job held the only slot through the drain window");
        host.Probe.Runs.Should().BeEmpty("the queued jobs never got a slot");
        (await host.Store.GetAsync(blocking))!.State.Should().Be(JobState.Queued);
        (await host.Store.GetAsync(delayed))!.State.Should().Be(JobState.Scheduled);
        var lost = logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "JobsLost").Subject;
        lost.Level.Should().Be(LogLevel.Error);
        lost.Message.Should().Contain("Stopped with 5 accepted job(s) still waiting in the in-memory backend", "the handed-back job, the three queued and the delayed one are lost with the process");
    }

    [Fact]
    public async Task A_stop_with_nothing_waiting_logs_no_loss()
    {
        var host = await StartHostAsync(services: s => s.AddFakeLogging());
        var logs = host.Services.GetFakeLogCollector();
        var id = await host.Queue.EnqueueAsync(new EchoJob("done"));
        await host.WaitForStateAsync(id, JobState.Succeeded);

        await host.StopAsync();

        logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "JobsLost" || r.Id.Name == "EmptyingQueues");
    }

    [Fact]
    public async Task Jobs_of_a_paused_queue_are_not_waited_for_at_shutdown_and_are_counted_as_lost()
    {
        // Paused before the workers start (they read the flags before taking any job), so its job never runs; the stop
        // comes once this host has read the flag.
        var host = await StartHostAsync(
            o =>
            {
                o.AddQueue("default").AddQueue("held");
                o.ShutdownDrainTimeout = TimeSpan.FromSeconds(2);
            },
            services: s => s.AddFakeLogging(),
            beforeStart: services => services.GetRequiredService<IJobAdmin>().PauseQueueAsync("held").AsTask());
        var logs = host.Services.GetFakeLogCollector();
        var id = await host.Queue.EnqueueAsync(new EchoJob("held back"), new JobOptions { Queue = "held" });
        await WaitUntilAsync(() => Task.FromResult(logs.GetSnapshot().Any(r => r.Id.Name == "QueuePaused")));

        await host.StopAsync();

        // Emptying the queues would have been logged before the loss: the paused queue's job is not waited for.
        logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "EmptyingQueues");
        logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "JobsLost")
            .Which.Message.Should().Contain("Stopped with 1 accepted job(s)");
        (await host.Store.GetAsync(id))!.State.Should().Be(JobState.Queued);
        host.Probe.Runs.Should().BeEmpty();
    }

    [Fact]
    public async Task Time_spent_emptying_the_queues_counts_against_the_drain_window()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var host = await StartHostAsync(
            o => { o.Concurrency = 1; o.ShutdownDrainTimeout = TimeSpan.FromSeconds(10); },
            services: s => s.AddFakeLogging().AddSingleton<TimeProvider>(time));
        var logs = host.Services.GetFakeLogCollector();
        var gated = await host.Queue.EnqueueAsync(new RecordJob("gate"));
        await host.WaitForStateAsync(gated, JobState.Running);
        var blocking = await host.Queue.EnqueueAsync(new BlockingJob("b"));

        var stopping = host.StopAsync();
        await WaitUntilAsync(() => Task.FromResult(logs.GetSnapshot().Any(r => r.Id.Name == "EmptyingQueues")));

        // Six seconds go by before the queue empties: the blocking job gets the slot only once the gated one ends.
        time.Advance(TimeSpan.FromSeconds(6));
        host.Probe.Gate.TrySetResult();
        await host.Probe.WaitStartedAsync("b");
        await WaitUntilAsync(() => Task.FromResult(logs.GetSnapshot().Any(r => r.Id.Name == "Draining")));

        logs.GetSnapshot().Single(r => r.Id.Name == "Draining").Message
            .Should().Be("Waiting up to 00:00:04 for 1 running job(s) to finish.", "the drain window is 10 s from the stop, 6 s of it spent emptying the queue");

        // Past the window the blocking job's token fires and the stop completes. The clock moves in steps, since the
        // drain's timer is set just after its log line.
        for (var step = 0; step < 100 && !stopping.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(stopping, Task.Delay(50));
        }

        await stopping;
        host.Probe.TokensFired.Should().Contain("b");
        (await host.Store.GetAsync(blocking))!.State.Should().Be(JobState.Queued, "the interrupted job went back to its queue");
    }

    [Fact]
    public async Task Handler_that_ignores_its_token_at_shutdown_is_waited_for_no_longer_than_the_grace_period()
    {
        var host = await StartHostAsync(o => o.ShutdownDrainTimeout = TimeSpan.FromMilliseconds(100), services: s => s.AddFakeLogging());
        var logs = host.Services.GetFakeLogCollector();
        await host.Queue.EnqueueAsync(new HangingJob("h"));
        await host.Probe.WaitStartedAsync("h");

        // Drain window, then the token fires and the hanging handler is given the grace period (200 ms) to end.
        await host.StopAsync();

        var timedOut = logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "HandBackTimedOut").Subject;
        timedOut.Level.Should().Be(LogLevel.Warning);
        timedOut.Message.Should().StartWith("1 interrupted job(s) not handed back within 00:00:00.2000000");
    }

    [Fact]
    public async Task A_stop_with_no_job_in_flight_does_not_wait_for_the_drain_window()
    {
        // The clock never moves: a stop that waited for any part of the drain window would not end.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var host = await StartHostAsync(services: s => s.AddSingleton<TimeProvider>(time));
        var id = await host.Queue.EnqueueAsync(new EchoJob("done"));
        await host.WaitForStateAsync(id, JobState.Succeeded);

        // Bounded like the other waits of these tests (30 s), so a stop that hangs fails instead.
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }
}
