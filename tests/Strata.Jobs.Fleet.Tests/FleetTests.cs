using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Strata.Jobs.FleetWorker;
using Xunit.Abstractions;

namespace Strata.Jobs.Fleet.Tests;

/// <summary>
/// Three worker processes share one store: each recurring occurrence fires once, the fleet-wide cap and rate hold,
/// and a pause stops every worker. The derived classes choose the store (Redis, PostgreSQL).
/// </summary>
public abstract class FleetTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Workers = 3;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private IHost? _host;

    /// <summary><c>redis</c> or <c>postgres</c>.</summary>
    protected abstract string Backend { get; }

    /// <summary>The worker processes' connection to the store.</summary>
    protected abstract string Connection { get; }

    /// <summary>The key prefix (Redis) or <c>-</c>.</summary>
    protected abstract string Store { get; }

    private IServiceProvider Services => _host!.Services;

    public virtual async Task InitializeAsync()
    {
        // The test's own host enqueues and operates; it runs no workers (and so no recurring scheduler).
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddStrataJobs(o =>
            {
                FleetSetup.Configure(o);
                o.RunWorkers = false;
            })
            .AddJob<FleetJob>()
            .UseFleetBackend(Backend, Connection, Store);
        _host = builder.Build();
        await PrepareStoreAsync(_host.Services);
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }

    /// <summary>Every occurrence of a once-a-second schedule enqueues exactly one job while three processes race to fire it.</summary>
    [Fact]
    public async Task Recurring_job_fires_each_occurrence_exactly_once_across_three_processes()
    {
        var recurring = Services.GetRequiredService<IRecurringJobs>();
        await recurring.AddOrUpdateAsync("tick", "* * * * * *", new FleetJob("tick", 0));
        Assert.True(await recurring.PauseAsync("tick"));
        using var fleet = await Fleet.StartAsync(Workers, Backend, Connection, Store);

        // Resumed mid-second, so the first occurrence is the next whole second after the resume.
        var first = await ResumeMidSecondAsync(recurring, "tick");
        await WaitUntilAsync(() => Task.FromResult(fleet.Runs().Count(r => r.Kind == "tick") >= 12), "12 occurrences ran");
        Assert.True(await recurring.PauseAsync("tick"));
        var info = await recurring.GetAsync("tick");
        var runs = fleet.Runs().Where(r => r.Kind == "tick").ToList();
        fleet.Dispose();

        var last = info!.LastRunAt!.Value;
        var occurrences = (int)Math.Round((last - first).TotalSeconds) + 1;
        var jobs = await SearchAllAsync(new JobFilter { JobType = nameof(FleetJob) });
        output.WriteLine($"{Backend}: occurrences {first:HH:mm:ss} to {last:HH:mm:ss} = {occurrences}; jobs enqueued {jobs.Count}; runs {runs.Count} on {runs.Select(r => r.ProcessId).Distinct().Count()} processes");

        // One more job than occurrences is a fire that the pause raced: enqueued, but the pause won the schedule's
        // write. Its job is newer than the last recorded occurrence; anything more would be a double fire.
        Assert.InRange(jobs.Count, occurrences, occurrences + 1);
        if (jobs.Count == occurrences + 1)
        {
            Assert.True(jobs.Max(j => j.CreatedAt) > last, "the extra job is not the raced one after the last occurrence");
        }

        Assert.Equal(runs.Count, runs.Select(r => r.JobId).Distinct().Count());
        Assert.True(occurrences >= 12, $"only {occurrences} occurrences");
    }

    /// <summary>A cap of two per queue and five starts a second per limit key hold across three processes; no deferral spends an attempt.</summary>
    [Fact]
    public async Task Fleet_wide_cap_and_rate_hold_across_three_processes()
    {
        var queue = Services.GetRequiredService<IJobQueue>();
        var store = Services.GetRequiredService<IJobStore>();
        using var fleet = await Fleet.StartAsync(Workers, Backend, Connection, Store);

        // A first start in a fresh process is slower (compilation, connections): warm every path up, unmeasured, so
        // the figures below show the limits rather than one process's cold start. Then let the permit window pass.
        var warm = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            warm.Add(await queue.EnqueueAsync(new FleetJob("warm", 0), new JobOptions { LimitKey = FleetSetup.PartnerLimit }));
            warm.Add(await queue.EnqueueAsync(new FleetJob("warm", 0), new JobOptions { Queue = FleetSetup.CappedQueue }));
        }

        foreach (var id in warm)
        {
            await WaitUntilAsync(async () => (await store.GetAsync(id))?.State == JobState.Succeeded, $"warm-up job {id} succeeded");
        }

        await Task.Delay(FleetSetup.PartnerWindow + TimeSpan.FromMilliseconds(200));
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add(await queue.EnqueueAsync(new FleetJob("capped", 300), new JobOptions { Queue = FleetSetup.CappedQueue }));
        }

        for (var i = 0; i < 20; i++)
        {
            ids.Add(await queue.EnqueueAsync(new FleetJob("paced", 0), new JobOptions { LimitKey = FleetSetup.PartnerLimit }));
        }

        foreach (var id in ids)
        {
            await WaitUntilAsync(async () => (await store.GetAsync(id))?.State == JobState.Succeeded, $"job {id} succeeded");
            Assert.Equal(1, (await store.GetAsync(id))!.Attempt);
        }

        var runs = fleet.Runs();
        var capped = runs.Where(r => r.Kind == "capped").ToList();
        var paced = runs.Where(r => r.Kind == "paced").Select(r => r.Start).Order().ToList();
        var largestConcurrency = LargestOverlap(capped);
        var largestRate = LargestInWindow(paced, FleetSetup.PartnerWindow);

        // The handler logs its start a little after the worker took the permit (the start is a store round trip), and
        // that lag varies between jobs; the check allows 200 ms of it. The exact figure is printed beside it.
        var checkedRate = LargestInWindow(paced, FleetSetup.PartnerWindow - TimeSpan.FromMilliseconds(200));
        output.WriteLine($"{Backend}: largest concurrency seen {largestConcurrency} (cap {FleetSetup.FleetCap}) on {capped.Select(r => r.ProcessId).Distinct().Count()} processes; " +
            $"largest starts in a 1 s window {largestRate} (limit {FleetSetup.PartnerPermits}); in a 0.8 s window {checkedRate}; " +
            $"{paced.Count} paced jobs took {(paced[^1] - paced[0]).TotalSeconds:F2} s");

        Assert.Equal(FleetSetup.FleetCap, largestConcurrency);
        Assert.InRange(checkedRate, 1, FleetSetup.PartnerPermits);
        Assert.True((paced[^1] - paced[0]).TotalSeconds >= 2.5, "20 jobs at 5 a second took under 2.5 s: the limit did not hold");
    }

    /// <summary>A pause stops every process taking jobs from the queue within a second; the running job finishes; resume runs the rest.</summary>
    [Fact]
    public async Task Pause_stops_every_process_within_a_second_and_resume_runs_the_waiting_jobs()
    {
        var queue = Services.GetRequiredService<IJobQueue>();
        var admin = Services.GetRequiredService<IJobAdmin>();
        var store = Services.GetRequiredService<IJobStore>();
        using var fleet = await Fleet.StartAsync(Workers, Backend, Connection, Store);

        var running = await queue.EnqueueAsync(new FleetJob("long", 2000), new JobOptions { Queue = FleetSetup.PausableQueue });
        await WaitUntilAsync(async () => (await store.GetAsync(running))?.State == JobState.Running, "the long job started");
        await admin.PauseQueueAsync(FleetSetup.PausableQueue);
        await Task.Delay(TimeSpan.FromSeconds(1)); // The bound under test: every worker sees the pause within a second.

        var held = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            held.Add(await queue.EnqueueAsync(new FleetJob("held", 0), new JobOptions { Queue = FleetSetup.PausableQueue }));
        }

        // Markers on another queue run after the held jobs were enqueued: the workers are polling, and skip the paused queue.
        for (var i = 0; i < 6; i++)
        {
            var marker = await queue.EnqueueAsync(new FleetJob("marker", 50));
            await WaitUntilAsync(async () => (await store.GetAsync(marker))?.State == JobState.Succeeded, "a marker job ran");
        }

        await WaitUntilAsync(async () => (await store.GetAsync(running))?.State == JobState.Succeeded, "the running job finished");
        foreach (var id in held)
        {
            Assert.Equal(JobState.Queued, (await store.GetAsync(id))!.State);
        }

        var markerProcesses = fleet.Runs().Where(r => r.Kind == "marker").Select(r => r.ProcessId).Distinct().Count();
        output.WriteLine($"{Backend}: 5 jobs stayed queued while paused; 6 markers ran on {markerProcesses} processes");

        await admin.ResumeQueueAsync(FleetSetup.PausableQueue);
        foreach (var id in held)
        {
            await WaitUntilAsync(async () => (await store.GetAsync(id))?.State == JobState.Succeeded, $"held job {id} ran after resume");
        }
    }

    /// <summary>Creates what the store needs before the hosts start (the database's tables).</summary>
    protected virtual Task PrepareStoreAsync(IServiceProvider services) => Task.CompletedTask;

    private static int LargestOverlap(IReadOnlyList<FleetRun> runs)
    {
        var edges = runs.SelectMany(r => new[] { (Time: r.Start, Delta: 1), (Time: r.End, Delta: -1) })
            .OrderBy(e => e.Time).ThenBy(e => e.Delta);
        int current = 0, largest = 0;
        foreach (var (_, delta) in edges)
        {
            current += delta;
            largest = Math.Max(largest, current);
        }

        return largest;
    }

    private static int LargestInWindow(IReadOnlyList<DateTimeOffset> starts, TimeSpan window)
    {
        var largest = 0;
        for (int from = 0, to = 0; from < starts.Count; from++)
        {
            while (to < starts.Count && starts[to] - starts[from] < window)
            {
                to++;
            }

            largest = Math.Max(largest, to - from);
        }

        return largest;
    }

    private static async Task<DateTimeOffset> ResumeMidSecondAsync(IRecurringJobs recurring, string name)
    {
        while (true)
        {
            var now = TimeProvider.System.GetUtcNow();
            var intoSecond = now.UtcTicks % TimeSpan.TicksPerSecond;
            var wait = TimeSpan.FromTicks((TimeSpan.TicksPerSecond * 4 / 10) - intoSecond);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var before = TimeProvider.System.GetUtcNow().UtcTicks / TimeSpan.TicksPerSecond;
            Assert.True(await recurring.ResumeAsync(name));
            var after = TimeProvider.System.GetUtcNow().UtcTicks / TimeSpan.TicksPerSecond;
            if (before == after)
            {
                return new DateTimeOffset((after + 1) * TimeSpan.TicksPerSecond, TimeSpan.Zero);
            }

            // The resume straddled a second: which one came first is unknown; pause and try again.
            Assert.True(await recurring.PauseAsync(name));
        }
    }

    private async Task<List<JobInfo>> SearchAllAsync(JobFilter filter)
    {
        var admin = Services.GetRequiredService<IJobAdmin>();
        var jobs = new List<JobInfo>();
        string? cursor = null;
        do
        {
            var page = await admin.SearchAsync(filter, cursor, 200);
            jobs.AddRange(page.Jobs);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return jobs;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        using var limit = new CancellationTokenSource(Limit);
        while (!await condition())
        {
            if (limit.IsCancellationRequested)
            {
                throw new TimeoutException($"Waited {Limit.TotalSeconds} s for: {what}.");
            }

            await Task.Delay(50);
        }
    }
}
