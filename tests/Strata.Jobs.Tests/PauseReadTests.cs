using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Strata.Jobs.Testing;
using Xunit.Abstractions;

namespace Strata.Jobs.Tests;

/// <summary>
/// How the workers read the pause flags, through a backend that counts the reads (every 500 ms, real time): a failed
/// read keeps the last known flags and is logged once per outage, and a hint of work in a paused queue does not make
/// the dispatch loop spin.
/// </summary>
public sealed class PauseReadTests(ITestOutputHelper output) : JobBackendTestBase
{
    private const string Other = "other";

    protected override void UseBackend(JobsBuilder builder) =>
        builder.UseBackend(sp => PauseProbeBackend.Wrap(ActivatorUtilities.CreateInstance<InMemoryJobBackend>(sp), [JobsOptions.DefaultQueueName, Other]));

    [Fact]
    public async Task A_failing_read_keeps_the_last_known_flags_and_is_logged_once_per_outage()
    {
        var host = await StartHostAsync(o => o.AddQueue(JobsOptions.DefaultQueueName).AddQueue(Other), services: s => s.AddFakeLogging());
        var logs = host.Services.GetFakeLogCollector();
        var backend = Probe(host);
        await host.Backend.SetQueuePausedAsync(JobsOptions.DefaultQueueName, paused: true, default);
        await WaitUntilAsync(() => Task.FromResult(Count(logs, "QueuePaused") == 1));

        backend.FailPauseReads = true;
        await WaitForReadsAsync(backend, 2);
        await host.Backend.SetQueuePausedAsync(JobsOptions.DefaultQueueName, paused: false, default);
        var waiting = await host.Queue.EnqueueAsync(new EchoJob("waiting"));
        var marker = await host.Queue.EnqueueAsync(new EchoJob("marker"), new JobOptions { Queue = Other });
        await host.WaitForStateAsync(marker, JobState.Succeeded);
        await WaitForReadsAsync(backend, 3);

        (await host.Store.GetAsync(waiting))!.State.Should().Be(JobState.Queued, "while the flags cannot be read, the queue stays paused as last seen");
        Count(logs, "PauseReadFailed").Should().Be(1, "one outage, one line, however many reads fail");
        logs.GetSnapshot().Single(r => r.Id.Name == "PauseReadFailed").Level.Should().Be(LogLevel.Warning);

        backend.FailPauseReads = false;
        await host.WaitForStateAsync(waiting, JobState.Succeeded);
        Count(logs, "PauseReadRestored").Should().Be(1);
        Count(logs, "QueueResumed").Should().Be(1);

        backend.FailPauseReads = true;
        await WaitForReadsAsync(backend, 2);
        Count(logs, "PauseReadFailed").Should().Be(2, "a second outage is logged again");
        Count(logs, "QueuePaused").Should().Be(1, "a pause is logged once, when this host first sees it, not at every read");
    }

    [Fact]
    public async Task A_read_that_fails_during_an_outage_the_backend_reports_itself_is_not_logged_again()
    {
        var host = await StartHostAsync(o => o.AddQueue(JobsOptions.DefaultQueueName).AddQueue(Other), services: s => s.AddFakeLogging());
        var logs = host.Services.GetFakeLogCollector();
        var backend = Probe(host);
        backend.Outage = "The store is out of reach (test).";
        backend.FailPauseReads = true;
        await WaitForReadsAsync(backend, 3);

        backend.FailPauseReads = false;
        await host.Backend.SetQueuePausedAsync(JobsOptions.DefaultQueueName, paused: true, default);
        await WaitUntilAsync(() => Task.FromResult(Count(logs, "QueuePaused") == 1));

        logs.GetSnapshot().Should().NotContain(r => r.Level >= LogLevel.Warning, "the backend logs its own outage, once");
        Count(logs, "PauseReadRestored").Should().Be(0, "nothing was logged as failing, so nothing is logged as restored");
    }

    [Fact]
    public async Task A_hint_of_work_in_a_paused_queue_makes_the_workers_wait_for_the_next_read_instead_of_spinning()
    {
        // The paused job is still queued when the host stops: a short drain, since it would wait for it in vain.
        var host = await StartHostAsync(
            o => o.AddQueue(JobsOptions.DefaultQueueName).AddQueue(Other).ShutdownDrainTimeout = TimeSpan.FromMilliseconds(300),
            services: s => s.AddFakeLogging());
        var logs = host.Services.GetFakeLogCollector();
        var backend = Probe(host);
        backend.HintsForEveryQueue = true;
        await host.Backend.SetQueuePausedAsync(JobsOptions.DefaultQueueName, paused: true, default);
        await WaitUntilAsync(() => Task.FromResult(Count(logs, "QueuePaused") == 1));

        // From now on the backend hints at work at once, every time it is asked: the paused queue has a job. The marker
        // wakes the workers, which then ask for work again.
        var paused = await host.Queue.EnqueueAsync(new EchoJob("paused"));
        var marker = await host.Queue.EnqueueAsync(new EchoJob("marker"), new JobOptions { Queue = Other });
        await host.WaitForStateAsync(marker, JobState.Succeeded);
        var receives = backend.Receives;
        var reads = backend.PauseReads;
        await WaitForReadsAsync(backend, 4);
        var receivedPerRead = (double)(backend.Receives - receives) / (backend.PauseReads - reads);
        output.WriteLine($"receive calls per read of the pause flags while a paused queue had work: {receivedPerRead:F1}");

        // Each read allows a round and two more after quick hints, a receive from the open queue each (a spinning loop
        // makes thousands).
        receivedPerRead.Should().BeInRange(0.5, 6, "the workers go back to waiting for the next read after two empty hints");
        var second = await host.Queue.EnqueueAsync(new EchoJob("second"), new JobOptions { Queue = Other });
        await host.WaitForStateAsync(second, JobState.Succeeded);
        (await host.Store.GetAsync(paused))!.State.Should().Be(JobState.Queued);
    }

    private static PauseProbeBackend Probe(TestJobsHost host) => (PauseProbeBackend)(object)host.Backend;

    private static Task WaitForReadsAsync(PauseProbeBackend backend, int more)
    {
        var target = backend.PauseReads + more;
        return WaitUntilAsync(() => Task.FromResult(backend.PauseReads >= target));
    }

    private static int Count(FakeLogCollector logs, string eventName) => logs.GetSnapshot().Count(r => r.Id.Name == eventName);
}
