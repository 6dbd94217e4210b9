using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>
/// Pausing a queue (the flag the backend stores for the fleet), as the workers of one host honour it: no new start
/// from the paused queue after the next read of the flags, running jobs finish, enqueueing goes on; resuming runs
/// what waited. "Not started" is shown by a marker job on another queue that runs after the paused job was enqueued:
/// the round that took the marker would have taken the paused job too.
/// </summary>
/// <remarks>
/// One host only: two test hosts cannot share an in-memory backend, so pausing across processes is tested on the
/// shared backends (Redis, database).
/// </remarks>
public sealed class PauseTests : JobBackendTestBase
{
    private const string Other = "other";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    protected override void UseBackend(JobsBuilder builder) => builder.UseInMemory();

    [Fact]
    public async Task Paused_queue_starts_nothing_new_after_one_read_of_the_flags_while_its_running_job_finishes_and_enqueue_works()
    {
        var host = await StartHostAsync(
            o => o.AddQueue(JobsOptions.DefaultQueueName).AddQueue(Other),
            services: s => s.AddSingleton<TimeProvider>(_time).AddFakeLogging());
        var logs = host.Services.GetFakeLogCollector();
        var running = await host.Queue.EnqueueAsync(new RecordJob("gate"));
        await host.WaitForStateAsync(running, JobState.Running);

        await host.Backend.SetQueuePausedAsync(JobsOptions.DefaultQueueName, paused: true, default);
        PausedQueues.RefreshInterval.Should().BeLessThan(TimeSpan.FromSeconds(1), "a pause takes hold within a second");
        _time.Advance(PausedQueues.RefreshInterval);
        await WaitUntilAsync(() => Task.FromResult(Count(logs, "QueuePaused") == 1));

        var paused = await host.Queue.EnqueueAsync(new EchoJob("paused"));
        var marker = await host.Queue.EnqueueAsync(new EchoJob("marker"), new JobOptions { Queue = Other });
        await host.WaitForStateAsync(marker, JobState.Succeeded);
        (await host.Store.GetAsync(paused))!.State.Should().Be(JobState.Queued, "the round that took the marker skipped the paused queue");
        (await host.Store.GetAsync(running))!.State.Should().Be(JobState.Running, "pausing lets a running job go on");

        host.Probe.Gate.SetResult();
        await host.WaitForStateAsync(running, JobState.Succeeded);
        var again = await host.Queue.EnqueueAsync(new EchoJob("marker-2"), new JobOptions { Queue = Other });
        await host.WaitForStateAsync(again, JobState.Succeeded);
        (await host.Store.GetAsync(paused))!.State.Should().Be(JobState.Queued, "a freed slot does not open a paused queue");
        host.Probe.Runs.Should().Equal("marker", "gate", "marker-2");

        await host.Backend.SetQueuePausedAsync(JobsOptions.DefaultQueueName, paused: false, default);
        _time.Advance(PausedQueues.RefreshInterval);
        var ran = await host.WaitForStateAsync(paused, JobState.Succeeded);

        ran.Attempt.Should().Be(1);
        host.Probe.Runs.Should().Equal("marker", "gate", "marker-2", "paused");
        Count(logs, "QueuePaused").Should().Be(1, "a pause is logged once, when this host first sees it");
        Count(logs, "QueueResumed").Should().Be(1);
        logs.GetSnapshot().Single(r => r.Id.Name == "QueuePaused").Level.Should().Be(LogLevel.Information);
        logs.GetSnapshot().Single(r => r.Id.Name == "QueuePaused").Message.Should().Contain("'default'");
    }

    [Fact]
    public async Task A_host_that_starts_while_a_queue_is_paused_takes_nothing_from_it_and_does_not_drain_it_at_stop()
    {
        var host = await StartHostAsync(
            o => o.AddQueue(JobsOptions.DefaultQueueName).AddQueue(Other),
            services: s => s.AddSingleton<TimeProvider>(_time).AddFakeLogging(),
            beforeStart: async services =>
            {
                var queue = services.GetRequiredService<IJobQueue>();
                await services.GetRequiredService<Strata.Jobs.Backends.IJobBackend>().SetQueuePausedAsync(JobsOptions.DefaultQueueName, paused: true, default);
                await queue.EnqueueAsync(new EchoJob("paused"));
            });
        var logs = host.Services.GetFakeLogCollector();

        var marker = await host.Queue.EnqueueAsync(new EchoJob("marker"), new JobOptions { Queue = Other });
        await host.WaitForStateAsync(marker, JobState.Succeeded);
        host.Probe.Runs.Should().Equal(["marker"], "the workers read the flags before taking their first job");

        // In memory the drain runs queued jobs before it stops, but not a paused queue's: it would wait for them in
        // vain (the fake clock would never end its window). It says so by not announcing a drain, and counts the job lost.
        await host.Host.StopAsync();
        Count(logs, "EmptyingQueues").Should().Be(0, "no job that the workers may take is queued");
        logs.GetSnapshot().Single(r => r.Id.Name == "JobsLost").Message.Should().Contain("Stopped with 1 accepted job(s)");
    }

    [Fact]
    public async Task Every_queue_paused_leaves_the_workers_waiting_and_a_resume_wakes_them()
    {
        var host = await StartHostAsync(services: s => s.AddSingleton<TimeProvider>(_time).AddFakeLogging());
        var logs = host.Services.GetFakeLogCollector();
        await host.Backend.SetQueuePausedAsync(JobsOptions.DefaultQueueName, paused: true, default);
        _time.Advance(PausedQueues.RefreshInterval);
        await WaitUntilAsync(() => Task.FromResult(Count(logs, "QueuePaused") == 1));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await host.Queue.EnqueueAsync(new EchoJob($"job-{i}")));
        }

        await host.Backend.SetQueuePausedAsync(JobsOptions.DefaultQueueName, paused: false, default);
        _time.Advance(PausedQueues.RefreshInterval);
        foreach (var id in ids)
        {
            await host.WaitForStateAsync(id, JobState.Succeeded);
        }

        host.Probe.Runs.Should().BeEquivalentTo("job-0", "job-1", "job-2");
    }

    private static int Count(FakeLogCollector logs, string eventName) => logs.GetSnapshot().Count(r => r.Id.Name == eventName);
}
