using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>The scheduler on the in-memory backend under a fake clock: each occurrence once, races, misfires, overlap.</summary>
public sealed class RecurringSchedulerTests
{
    private static readonly DateTimeOffset Start = RecurringTestHost.Start;
    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public async Task Every_minute_schedule_fires_each_of_100_occurrences_once_as_the_clock_moves_in_20_second_steps()
    {
        await using var host = await RecurringTestHost.StartAsync(_time, jobs => jobs.AddRecurring("every-minute", "* * * * *", new RecordJob("tick")));
        var ids = new List<string>();

        for (var minute = 1; minute <= 100; minute++)
        {
            for (var step = 0; step < 3; step++)
            {
                _time.Advance(TimeSpan.FromSeconds(20));
                await host.PassAsync();
            }

            var info = await host.GetAsync("every-minute");
            info.LastRunAt.Should().Be(Start.AddMinutes(minute));
            info.NextRunAt.Should().Be(Start.AddMinutes(minute + 1));
            ids.Add(info.LastJobId!);
        }

        ids.Should().OnlyHaveUniqueItems().And.HaveCount(100);
        (await host.CountJobsAsync()).Should().Be(100, "three passes a minute fired each occurrence once");
        foreach (var id in ids)
        {
            (await host.Store.GetAsync(id))!.JobType.Should().Be(nameof(RecordJob));
        }
    }

    [Fact]
    public async Task Two_schedulers_sharing_one_backend_fire_each_occurrence_once()
    {
        // Twenty schedules a second each, so the two hosts' passes overlap and race on the same versions.
        void Jobs(JobsBuilder jobs)
        {
            for (var i = 0; i < 20; i++)
            {
                jobs.AddRecurring($"every-second-{i}", "* * * * * *", new RecordJob($"tick-{i}"));
            }
        }

        await using var first = await RecurringTestHost.StartAsync(_time, Jobs);
        await using var second = await RecurringTestHost.StartAsync(_time, Jobs, sharedBackend: first.Backend);

        for (var seconds = 1; seconds <= 100; seconds++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            using var go = new ManualResetEventSlim();
            var passes = Task.WhenAll(Task.Run(() => { go.Wait(); return first.PassAsync(); }), Task.Run(() => { go.Wait(); return second.PassAsync(); }));
            go.Set();
            await passes;
        }

        var schedules = await first.Recurring.ListAsync();
        schedules.Should().HaveCount(20).And.OnlyContain(s => s.LastRunAt == Start.AddSeconds(100));
        (await first.CountJobsAsync()).Should().Be(2000, "the two hosts raced on every occurrence and each fired once");
    }

    [Fact]
    public async Task Two_hosts_that_read_the_same_versions_fire_each_of_100_occurrences_once()
    {
        // The race made certain: both hosts read every schedule before either fires, then both fire at once.
        await using var first = await RecurringTestHost.StartAsync(_time, jobs => jobs.AddRecurring("every-minute", "* * * * *", new RecordJob("tick")));
        await using var second = await RecurringTestHost.StartAsync(_time, sharedBackend: first.Backend);
        var ids = new HashSet<string>();

        for (var minute = 1; minute <= 100; minute++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            var now = _time.GetUtcNow();
            var (firstRead, firstFiring) = await ReadAsync(first);
            var (secondRead, secondFiring) = await ReadAsync(second);
            var answers = await Task.WhenAll(
                Task.Run(async () => await firstFiring.FireIfDueAsync(firstRead.Entry, firstRead.Schedule, now, CancellationToken.None)),
                Task.Run(async () => await secondFiring.FireIfDueAsync(secondRead.Entry, secondRead.Schedule, now, CancellationToken.None)));

            answers.Should().ContainSingle(a => a == now, "the host whose write lost is told to read again").And.Contain(now.AddMinutes(1));
            var info = await first.GetAsync("every-minute");
            info.LastRunAt.Should().Be(now);
            ids.Add(info.LastJobId!);
        }

        ids.Should().HaveCount(100);
        (await first.CountJobsAsync()).Should().Be(100);
    }

    [Fact]
    public async Task Slow_host_firing_an_occurrence_another_host_already_fired_gets_the_same_job_and_changes_nothing()
    {
        await using var fast = await RecurringTestHost.StartAsync(_time, jobs => jobs.AddRecurring("nightly", "0 3 * * *", new RecordJob("n")));
        await using var slow = await RecurringTestHost.StartAsync(_time, sharedBackend: fast.Backend);
        _time.Advance(TimeSpan.FromHours(3));
        var store = slow.Services.GetRequiredService<RecurringStore>();
        var stale = (await store.ReadAllAsync(CancellationToken.None)).Single();

        await fast.PassAsync();
        var fired = await fast.GetAsync("nightly");
        var firing = new RecurringFiring(store, slow.Services.GetRequiredService<JobQueue>(), slow.Services.GetRequiredService<ILoggerFactory>().CreateLogger("test"));
        var lateAnswer = await firing.FireIfDueAsync(stale.Entry, stale.Schedule, _time.GetUtcNow(), CancellationToken.None);

        lateAnswer.Should().Be(_time.GetUtcNow(), "its write lost: another host advanced the schedule");
        (await fast.CountJobsAsync()).Should().Be(1, "the occurrence's idempotency key returned the first host's job");
        (await fast.GetAsync("nightly")).Should().BeEquivalentTo(fired);
        fired.LastRunAt.Should().Be(Start.AddHours(3));
        fired.NextRunAt.Should().Be(Start.AddDays(1).AddHours(3));
    }

    [Fact]
    public async Task FireOnce_after_a_downtime_enqueues_one_job_for_the_latest_missed_occurrence_then_goes_on()
    {
        await using var host = await RecurringTestHost.StartAsync(_time, jobs => jobs.AddRecurring("five", "*/5 * * * *", new RecordJob("five")));
        _time.Advance(TimeSpan.FromMinutes(5));
        await host.PassAsync();

        _time.Advance(TimeSpan.FromMinutes(123)); // down from 00:05 to 02:08: 24 occurrences missed
        await host.PassAsync();

        var info = await host.GetAsync("five");
        info.LastRunAt.Should().Be(Start.AddMinutes(125), "02:05 is the latest occurrence at or before 02:08");
        info.NextRunAt.Should().Be(Start.AddMinutes(130));
        (await host.CountJobsAsync()).Should().Be(2);
        host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "RecurringMisfireFiringOnce");

        _time.Advance(TimeSpan.FromMinutes(2));
        await host.PassAsync();
        (await host.GetAsync("five")).LastRunAt.Should().Be(Start.AddMinutes(130));
        (await host.CountJobsAsync()).Should().Be(3);
    }

    [Fact]
    public async Task Hosts_that_catch_up_a_downtime_at_different_moments_still_fire_one_job()
    {
        await using var first = await RecurringTestHost.StartAsync(_time, jobs => jobs.AddRecurring("five", "*/5 * * * *", new RecordJob("five")));
        await using var second = await RecurringTestHost.StartAsync(_time, sharedBackend: first.Backend);
        _time.Advance(TimeSpan.FromMinutes(123)); // down from 00:00 to 02:03; the latest occurrence is 02:00
        var (firstRead, firstFiring) = await ReadAsync(first);
        var (secondRead, secondFiring) = await ReadAsync(second);

        // The second host's clock is three minutes ahead: on its own it would pick 02:05.
        var answers = await Task.WhenAll(
            Task.Run(async () => await firstFiring.FireIfDueAsync(firstRead.Entry, firstRead.Schedule, _time.GetUtcNow(), CancellationToken.None)),
            Task.Run(async () => await secondFiring.FireIfDueAsync(secondRead.Entry, secondRead.Schedule, _time.GetUtcNow().AddMinutes(3), CancellationToken.None)));
        _time.Advance(TimeSpan.FromMinutes(3)); // 02:06 for both now
        await Task.WhenAll(Task.Run(first.PassAsync), Task.Run(second.PassAsync));

        answers.Should().Equal([Start.AddMinutes(123), Start.AddMinutes(126)], "each asks for another pass at once: the winner to fire what it stored, the loser to read again");
        (await first.CountJobsAsync()).Should().Be(1, "the stored next run, written once, decides the occurrence every host fires");
        var info = await first.GetAsync("five");
        info.LastRunAt.Should().Be(Start.AddMinutes(125));
        info.NextRunAt.Should().Be(Start.AddMinutes(130));
    }

    [Fact]
    public async Task Skip_after_a_downtime_enqueues_nothing_for_missed_occurrences_but_one_late_by_less_than_the_grace_still_fires()
    {
        await using var host = await RecurringTestHost.StartAsync(_time, jobs => jobs.AddRecurring("five", "*/5 * * * *", new RecordJob("five"), o => o.Misfire = RecurringMisfirePolicy.Skip));
        _time.Advance(TimeSpan.FromMinutes(123));
        await host.PassAsync();

        var info = await host.GetAsync("five");
        info.LastRunAt.Should().BeNull();
        info.LastJobId.Should().BeNull();
        info.NextRunAt.Should().Be(Start.AddMinutes(125), "the first occurrence after now minus the one-minute grace");
        (await host.CountJobsAsync()).Should().Be(0);
        host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "RecurringMisfireSkipped");

        _time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(50)); // 02:05:50, 50 s late
        await host.PassAsync();
        (await host.GetAsync("five")).LastRunAt.Should().Be(Start.AddMinutes(125));
        (await host.CountJobsAsync()).Should().Be(1);
    }

    [Fact]
    public async Task Schedule_whose_previous_run_is_still_running_skips_the_occurrence_when_overlap_is_off()
    {
        await using var host = await RecurringTestHost.StartAsync(
            _time, jobs => jobs.AddRecurring("gated", "* * * * *", new RecordJob("gate"), o => o.AllowOverlap = false), runWorkers: true);
        _time.Advance(TimeSpan.FromMinutes(1));
        await host.PassAsync();
        var firstJob = (await host.GetAsync("gated")).LastJobId!;
        await WaitForStateAsync(host, firstJob, JobState.Running);

        _time.Advance(TimeSpan.FromMinutes(1));
        await host.PassAsync();

        var skipped = await host.GetAsync("gated");
        skipped.LastJobId.Should().Be(firstJob);
        skipped.LastRunAt.Should().Be(Start.AddMinutes(1));
        skipped.NextRunAt.Should().Be(Start.AddMinutes(3), "the 00:02 occurrence was skipped");
        (await host.CountJobsAsync()).Should().Be(1);
        host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "RecurringOverlapSkipped" && r.Level == LogLevel.Information)
            .Which.Message.Should().Contain("skipped because the previous run is still running");

        host.Probe.Gate.SetResult();
        await WaitForStateAsync(host, firstJob, JobState.Succeeded);
        _time.Advance(TimeSpan.FromMinutes(1));
        await host.PassAsync();

        var next = await host.GetAsync("gated");
        next.LastRunAt.Should().Be(Start.AddMinutes(3));
        next.LastJobId.Should().NotBe(firstJob);
        (await host.CountJobsAsync()).Should().Be(2);
    }

    [Fact]
    public async Task Loop_started_with_the_workers_is_driven_by_the_hosts_clock()
    {
        await using var host = await RecurringTestHost.StartAsync(_time, jobs => jobs.AddRecurring("every-minute", "* * * * *", new RecordJob("tick")), runWorkers: true);

        for (var minute = 1; minute <= 3; minute++)
        {
            // Second by second, as the loop's one-second tick expects; it fires at the minute.
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while ((await host.GetAsync("every-minute")).LastRunAt != Start.AddMinutes(minute))
            {
                limit.Token.ThrowIfCancellationRequested();
                if (_time.GetUtcNow() < Start.AddMinutes(minute))
                {
                    _time.Advance(TimeSpan.FromSeconds(1));
                }

                await Task.Delay(5);
            }
        }

        (await host.CountJobsAsync()).Should().Be(3);
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (host.Probe.Runs.Count < 3)
        {
            await Task.Delay(10, done.Token);
        }

        host.Probe.Runs.Should().Equal("tick", "tick", "tick");
    }

    [Fact]
    public async Task Schedule_that_fails_to_fire_is_logged_once_while_the_others_keep_firing()
    {
        await using var host = await RecurringTestHost.StartAsync(_time, jobs => jobs.AddRecurring("healthy", "* * * * *", new RecordJob("ok")));

        // A schedule written by a host whose time zone this host lacks.
        var healthy = (await host.Backend.GetSchedulesAsync(CancellationToken.None)).Single();
        var foreign = healthy.Data.Replace("\"timeZone\":\"UTC\"", "\"timeZone\":\"Mars/Olympus_Mons\"", StringComparison.Ordinal);
        foreign.Should().NotBe(healthy.Data);
        (await host.Backend.SaveScheduleAsync("foreign", foreign, 0, CancellationToken.None)).Should().BeTrue();

        for (var minute = 1; minute <= 3; minute++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await host.PassAsync();
        }

        (await host.GetAsync("healthy")).LastRunAt.Should().Be(Start.AddMinutes(3));
        (await host.CountJobsAsync()).Should().Be(3);
        host.Logs.GetSnapshot().Where(r => r.Id.Name == "RecurringFireFailed").Should().ContainSingle()
            .Which.Message.Should().Contain("foreign");
    }

    /// <summary>Reads the host's one schedule as a scheduler pass would, and a firing over that host's store and queue.</summary>
    private static async Task<((Backends.JobScheduleEntry Entry, RecurringSchedule Schedule) Read, RecurringFiring Firing)> ReadAsync(RecurringTestHost host)
    {
        var store = host.Services.GetRequiredService<RecurringStore>();
        var firing = new RecurringFiring(store, host.Services.GetRequiredService<JobQueue>(), host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("test"));
        return ((await store.ReadAllAsync(CancellationToken.None)).Single(), firing);
    }

    private static async Task WaitForStateAsync(RecurringTestHost host, string jobId, JobState state)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await host.Store.GetAsync(jobId))?.State != state)
        {
            await Task.Delay(10, limit.Token);
        }
    }
}
