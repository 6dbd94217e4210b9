using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Strata.Jobs.Tests.Contract;

/// <summary>Retry backoff and idempotency scope, under a fake clock where time matters: every backend must pass these.</summary>
public abstract partial class JobQueueContractTests
{
    [Fact]
    public async Task Failed_attempt_waits_for_its_backoff_before_the_next_attempt()
    {
        // Whole milliseconds: a store may keep no finer time.
        var start = TimeProvider.System.GetUtcNow();
        var time = new FakeTimeProvider(start.AddTicks(-(start.Ticks % TimeSpan.TicksPerMillisecond)));
        var host = await StartHostAsync(
            o =>
            {
                o.RetryBaseDelay = TimeSpan.FromSeconds(10);
                o.RetryMaxDelay = TimeSpan.FromMinutes(1);
                o.RetryJitter = 0;
            },
            services: s => s.AddSingleton<TimeProvider>(time));

        var id = await host.Queue.EnqueueAsync(new FlakyJob("backoff", FailTimes: 2));
        var failed = await host.WaitForAsync(id, i => i.State == JobState.Failed || i.IsFinished, "failed or finished");
        var failedAt = time.GetUtcNow();

        failed.State.Should().Be(JobState.Failed, "the first attempt failed and the clock has not moved");
        failed.ScheduledFor.Should().Be(failedAt.AddSeconds(10));
        failed.Error.Should().Be("The handler failed with InvalidOperationException.");

        // A job due one second before the retry: once it has run, the backend has promoted everything due by then,
        // so a retry scheduled without its backoff would have run too.
        var marker = await host.Queue.EnqueueAsync(new EchoJob("nine seconds"), new JobOptions { RunAt = failedAt.AddSeconds(9) });
        time.Advance(TimeSpan.FromSeconds(9));
        await host.WaitForStateAsync(marker, JobState.Succeeded);

        var waiting = await host.Store.GetAsync(id);
        waiting!.State.Should().Be(JobState.Failed);
        waiting.Attempt.Should().Be(1, "the retry is not due until ten seconds after the failure");
        host.Probe.Attempts["backoff"].Should().Be(1, "the handler ran only the first attempt");

        time.Advance(TimeSpan.FromSeconds(1));
        var second = await host.WaitForAsync(id, i => i.State == JobState.Failed && i.Attempt == 2, "failed twice");
        second.ScheduledFor.Should().Be(time.GetUtcNow().AddSeconds(20), "the delay doubles");
        time.Advance(TimeSpan.FromSeconds(20));
        (await host.WaitForStateAsync(id, JobState.Succeeded)).Attempt.Should().Be(3);
        host.Probe.Attempts["backoff"].Should().Be(3);
    }

    [Fact]
    public async Task Same_idempotency_key_on_two_queues_gives_two_jobs()
    {
        var host = await StartHostAsync(o => o.AddQueue("default").AddQueue("reports"));

        var onDefault = await host.Queue.EnqueueAsync(new EchoJob("on default"), new JobOptions { IdempotencyKey = "order-42" });
        var onReports = await host.Queue.EnqueueAsync(new EchoJob("on reports"), new JobOptions { IdempotencyKey = "order-42", Queue = "reports" });
        var againOnReports = await host.Queue.EnqueueAsync(new EchoJob("on reports"), new JobOptions { IdempotencyKey = "order-42", Queue = "reports" });

        onReports.Should().NotBe(onDefault, "an idempotency key is scoped to its queue");
        againOnReports.Should().Be(onReports, "within one queue the key still gives one job");
        (await host.WaitForStateAsync(onDefault, JobState.Succeeded)).Queue.Should().Be("default");
        (await host.WaitForStateAsync(onReports, JobState.Succeeded)).Queue.Should().Be("reports");
        host.Probe.Runs.Should().BeEquivalentTo(["on default", "on reports"]);
    }
}
