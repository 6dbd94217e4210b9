using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Strata.Jobs.Testing;
using Xunit.Abstractions;

namespace Strata.Jobs.Tests;

/// <summary>
/// Fleet-wide limits as one host's workers keep them through the backend's slots and permits: a concurrency cap per
/// queue, a rate limit per queue, and a named rate limit jobs join with <see cref="JobOptions.LimitKey"/>. A job held
/// back is deferred before it starts, so it spends no attempt. Counts and timestamps come from the handlers.
/// </summary>
/// <remarks>
/// One host only: two test hosts cannot share an in-memory backend. A slot taken here through the backend stands for
/// a job running on another host; the three-process tests run on the shared backends (Redis, database).
/// </remarks>
public sealed class FleetLimitTests(ITestOutputHelper output) : JobBackendTestBase
{
    private const string Scope = "queue:" + JobsOptions.DefaultQueueName;
    private const string WarmUp = "warm-up";

    // Handler timestamps trail the permit each job took by the start's own latency (status, scope, payload), which
    // differs a little from job to job; the windows asserted on are this much shorter than the limit's.
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(50);

    private readonly LimitRecorder _recorder = new();

    protected override void UseBackend(JobsBuilder builder) => builder.UseInMemory();

    [Fact]
    public async Task Cap_of_2_runs_at_most_2_of_8_jobs_at_once_and_counts_a_slot_held_by_another_host()
    {
        var host = await StartAsync(o => o.Queues.Add(new JobQueueOptions { Name = JobsOptions.DefaultQueueName, FleetMaxConcurrency = 2 }));
        using var deferred = Deferrals(host);
        (await host.Backend.TryAcquireSlotAsync(Scope, 2, "job-on-another-host", TimeSpan.FromMinutes(1), default)).Should().BeTrue();

        var ids = await EnqueueAsync(host, 8, milliseconds: 150);
        await WaitUntilAsync(async () => (await CountSucceededAsync(host, ids)) >= 3);
        var mostWhileShared = _recorder.ResetMax();
        await host.Backend.ReleaseSlotAsync(Scope, "job-on-another-host", default);
        await WaitForAllAsync(host, ids);

        output.WriteLine($"largest concurrency seen: {mostWhileShared} while another host held a slot, {_recorder.MaxRunning} after it freed it (cap 2)");
        mostWhileShared.Should().Be(1, "the host may receive 2, but another host holds one of the 2 slots");
        _recorder.MaxRunning.Should().BeLessThanOrEqualTo(2);
        Deferred(deferred, "concurrency").Should().BePositive();
        await AllRanOnTheirFirstAttemptAsync(host, ids);
        (await host.Backend.TryAcquireSlotAsync(Scope, 2, "check-1", TimeSpan.FromSeconds(1), default)).Should().BeTrue();
        (await host.Backend.TryAcquireSlotAsync(Scope, 2, "check-2", TimeSpan.FromSeconds(1), default)).Should().BeTrue("every job gave its slot back");
    }

    [Fact]
    public async Task A_slot_is_given_back_whatever_the_attempt_ends_with()
    {
        var host = await StartAsync(o => o.Queues.Add(new JobQueueOptions { Name = JobsOptions.DefaultQueueName, FleetMaxConcurrency = 1 }));
        var flaky = await host.Queue.EnqueueAsync(new FlakyJob("flaky", FailTimes: 1));
        var rejected = await host.Queue.EnqueueAsync(new RejectedJob("rejected"));
        await host.WaitForStateAsync(flaky, JobState.Succeeded);
        await host.WaitForStateAsync(rejected, JobState.Dead);

        var cancelled = await host.Queue.EnqueueAsync(new BlockingJob("cancelled"));
        await host.Probe.WaitStartedAsync("cancelled");
        (await host.Queue.CancelAsync(cancelled)).Should().BeTrue();
        await host.WaitForStateAsync(cancelled, JobState.Cancelled);
        var last = await host.Queue.EnqueueAsync(new LimitedJob("last", 0));
        await host.WaitForStateAsync(last, JobState.Succeeded);

        (await host.Store.GetAsync(flaky))!.Attempt.Should().Be(2, "the failed attempt counts; waiting for the slot does not");
        (await host.Backend.TryAcquireSlotAsync(Scope, 1, "check", TimeSpan.FromSeconds(1), default)).Should().BeTrue("retried, dead-lettered, cancelled and succeeded attempts all freed the one slot");
    }

    [Fact]
    public async Task Rate_limit_of_5_per_second_starts_at_most_5_of_15_jobs_in_any_second()
    {
        var host = await StartAsync(o => o.Queues.Add(new JobQueueOptions { Name = JobsOptions.DefaultQueueName, RateLimit = new(5, TimeSpan.FromSeconds(1)) }));
        using var deferred = Deferrals(host);

        var ids = await EnqueueAsync(host, 15, milliseconds: 10);
        await WaitForAllAsync(host, ids);

        var most = _recorder.MostStartsWithin(TimeSpan.FromSeconds(1));
        var span = SpanOfStarts();
        output.WriteLine($"largest rate seen: {most} starts in a 1 s window ({_recorder.MostStartsWithin(TimeSpan.FromSeconds(1) - Slack)} in {(TimeSpan.FromSeconds(1) - Slack).TotalMilliseconds} ms); 15 starts over {span.TotalSeconds:F2} s (limit 5 per 1 s)");
        _recorder.MostStartsWithin(TimeSpan.FromSeconds(1) - Slack).Should().BeLessThanOrEqualTo(5);
        span.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2) - Slack, "15 starts at 5 a second need three windows");
        Deferred(deferred, "rate").Should().BeGreaterThanOrEqualTo(10, "at least 10 of the 15 were held back once");
        await AllRanOnTheirFirstAttemptAsync(host, ids);
    }

    [Fact]
    public async Task Named_limit_holds_across_the_queues_whose_jobs_name_it()
    {
        var window = TimeSpan.FromMilliseconds(500);
        var host = await StartAsync(o =>
        {
            o.AddQueue(JobsOptions.DefaultQueueName).AddQueue("other");
            o.RateLimits["partner-api"] = new JobRateLimit(3, window);
        });

        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var queue = i % 2 == 0 ? JobsOptions.DefaultQueueName : "other";
            ids.Add(await host.Queue.EnqueueAsync(new LimitedJob($"job-{i}", 0), new JobOptions { Queue = queue, LimitKey = "partner-api" }));
        }

        await WaitForAllAsync(host, ids);
        output.WriteLine($"largest rate seen: {_recorder.MostStartsWithin(window)} starts in a {window.TotalMilliseconds} ms window; 8 starts over {SpanOfStarts().TotalSeconds:F2} s (limit 3 per {window.TotalMilliseconds} ms over two queues)");
        _recorder.MostStartsWithin(window - Slack).Should().BeLessThanOrEqualTo(3);
        SpanOfStarts().Should().BeGreaterThanOrEqualTo((window * 2) - Slack, "8 starts at 3 a window need three windows");
        await AllRanOnTheirFirstAttemptAsync(host, ids);
    }

    /// <summary>Starts a host and runs one job on an unlimited queue, so the first measured start pays no warm-up.</summary>
    private async Task<TestJobsHost> StartAsync(Action<JobsOptions> configure)
    {
        var host = await StartHostAsync(
            o =>
            {
                o.Concurrency = 8;
                configure(o);
                o.AddQueue(WarmUp);
            },
            services: s =>
            {
                s.AddSingleton(_recorder);
                s.AddStrataJobs().AddHandler<LimitedJob, LimitedHandler>();
            });
        await host.WaitForStateAsync(await host.Queue.EnqueueAsync(new LimitedJob(WarmUp, 0), new JobOptions { Queue = WarmUp }), JobState.Succeeded);
        _recorder.Clear();
        return host;
    }

    private static MetricCollector<long> Deferrals(TestJobsHost host) =>
        new(host.Services.GetRequiredService<IMeterFactory>(), JobsMetrics.MeterName, "strata.jobs.deferred");

    private static long Deferred(MetricCollector<long> collector, string reason) =>
        collector.GetMeasurementSnapshot()
            .Where(m => Equals(m.Tags[JobsMetrics.ReasonTag], reason) && Equals(m.Tags[JobsMetrics.QueueTag], JobsOptions.DefaultQueueName))
            .Sum(m => m.Value);

    private static async Task<List<string>> EnqueueAsync(TestJobsHost host, int count, int milliseconds)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await host.Queue.EnqueueAsync(new LimitedJob($"job-{i}", milliseconds)));
        }

        return ids;
    }

    private static async Task<int> CountSucceededAsync(TestJobsHost host, IEnumerable<string> ids)
    {
        var succeeded = 0;
        foreach (var id in ids)
        {
            if ((await host.Store.GetAsync(id))?.State == JobState.Succeeded)
            {
                succeeded++;
            }
        }

        return succeeded;
    }

    private static async Task WaitForAllAsync(TestJobsHost host, IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            await host.WaitForStateAsync(id, JobState.Succeeded);
        }
    }

    private async Task AllRanOnTheirFirstAttemptAsync(TestJobsHost host, IReadOnlyCollection<string> ids)
    {
        foreach (var id in ids)
        {
            (await host.Store.GetAsync(id))!.Attempt.Should().Be(1, "a job held back by a limit spends no attempt");
        }

        _recorder.Attempts.Should().HaveCount(ids.Count).And.OnlyContain(a => a.Value == 1);
    }

    private TimeSpan SpanOfStarts()
    {
        var starts = _recorder.Starts.Order().ToArray();
        return System.Diagnostics.Stopwatch.GetElapsedTime(starts[0], starts[^1]);
    }
}
