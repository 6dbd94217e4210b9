using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using Xunit.Sdk;

namespace Strata.Jobs.Testing;

/// <summary>Retry backoff and idempotency scope, under a fake clock where time matters: every backend must pass these.</summary>
public abstract partial class JobBackendContractTests
{
    /// <summary>A failed attempt's retry waits for its backoff, by the host's clock.</summary>
    /// <returns>A task.</returns>
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

        // The first attempt failed and the clock has not moved.
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Equal(failedAt.AddSeconds(10), failed.ScheduledFor);
        Assert.Equal("The handler failed with InvalidOperationException.", failed.Error);

        // A job due one second before the retry: once it has run, the backend has promoted everything due by then,
        // so a retry scheduled without its backoff would have run too.
        var marker = await host.Queue.EnqueueAsync(new EchoJob("nine seconds"), new JobOptions { RunAt = failedAt.AddSeconds(9) });
        await AdvanceUntilAsync(host, time, TimeSpan.FromSeconds(9), marker, i => i.State == JobState.Succeeded, "succeeded", nudgeLimit: TimeSpan.FromMilliseconds(900));

        // The retry is not due until ten seconds after the failure: the handler ran only the first attempt.
        var waiting = await host.Store.GetAsync(id);
        Assert.NotNull(waiting);
        Assert.Equal(JobState.Failed, waiting!.State);
        Assert.Equal(1, waiting.Attempt);
        Assert.Equal(1, host.Probe.Attempts["backoff"]);

        var dueAt = time.GetUtcNow();
        var second = await AdvanceUntilAsync(host, time, failedAt.AddSeconds(10) - dueAt, id, i => i.State == JobState.Failed && i.Attempt == 2, "failed twice");

        // The second delay doubles to 20 s after a failure at 10 s or later.
        Assert.NotNull(second.ScheduledFor);
        Assert.InRange(second.ScheduledFor!.Value, failedAt.AddSeconds(30), time.GetUtcNow().AddSeconds(20));
        var done = await AdvanceUntilAsync(host, time, second.ScheduledFor.Value - time.GetUtcNow(), id, i => i.IsFinished, "finished");
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal(3, done.Attempt);
        Assert.Equal(3, host.Probe.Attempts["backoff"]);
    }

    /// <summary>An idempotency key is scoped to its queue.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Same_idempotency_key_on_two_queues_gives_two_jobs()
    {
        var host = await StartHostAsync(o => o.AddQueue("default").AddQueue("reports"));

        var onDefault = await host.Queue.EnqueueAsync(new EchoJob("on default"), new JobOptions { IdempotencyKey = "order-42" });
        var onReports = await host.Queue.EnqueueAsync(new EchoJob("on reports"), new JobOptions { IdempotencyKey = "order-42", Queue = "reports" });
        var againOnReports = await host.Queue.EnqueueAsync(new EchoJob("on reports"), new JobOptions { IdempotencyKey = "order-42", Queue = "reports" });

        // An idempotency key is scoped to its queue; within one queue it still gives one job.
        Assert.NotEqual(onDefault, onReports);
        Assert.Equal(onReports, againOnReports);
        Assert.Equal("default", (await host.WaitForStateAsync(onDefault, JobState.Succeeded)).Queue);
        Assert.Equal("reports", (await host.WaitForStateAsync(onReports, JobState.Succeeded)).Queue);
        Assert.Equal(new[] { "on default", "on reports" }, host.Probe.Runs.OrderBy(r => r, StringComparer.Ordinal));
    }

    /// <summary>
    /// Moves the fake clock by <paramref name="by"/>, then waits until the job meets <paramref name="condition"/>. A
    /// backend's scheduling loop that read the clock just before the move computes its next sleep from that older
    /// reading and may sleep a whole poll interval past the move, where a real clock would only make it late; so the
    /// clock goes on in 10 ms nudges, never more than <paramref name="nudgeLimit"/> in all (10 s unless given).
    /// </summary>
    private static async Task<JobInfo> AdvanceUntilAsync(
        TestJobsHost host, FakeTimeProvider time, TimeSpan by, string jobId, Func<JobInfo, bool> condition, string description, TimeSpan? nudgeLimit = null)
    {
        time.Advance(by);
        var nudged = TimeSpan.Zero;
        var limit = Stopwatch.StartNew();
        var sinceNudge = Stopwatch.StartNew();
        JobInfo? last = null;
        while (limit.Elapsed < TimeSpan.FromSeconds(30))
        {
            last = await host.Store.GetAsync(jobId);
            if (last is not null && condition(last))
            {
                return last;
            }

            if (sinceNudge.Elapsed > TimeSpan.FromMilliseconds(50) && nudged < (nudgeLimit ?? TimeSpan.FromSeconds(10)))
            {
                time.Advance(TimeSpan.FromMilliseconds(10));
                nudged += TimeSpan.FromMilliseconds(10);
                sinceNudge.Restart();
            }

            await Task.Delay(20);
        }

        throw new XunitException($"Job {jobId} did not become {description} within 30 s of moving the clock; last state {last?.State.ToString() ?? "(none)"}, attempt {last?.Attempt}.");
    }
}
