using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary><see cref="IRecurringJobs"/> at run time: add, change, pause, resume, remove, trigger, read.</summary>
public sealed class RecurringJobsTests
{
    private static readonly DateTimeOffset Start = RecurringTestHost.Start;
    private readonly FakeTimeProvider _time = new(Start);

    [Fact]
    public async Task Added_schedules_are_listed_by_name_with_their_next_and_last_run()
    {
        await using var host = await RecurringTestHost.StartAsync(_time);
        await host.Recurring.AddOrUpdateAsync("b-hourly", "0 * * * *", new RecordJob("b"));
        await host.Recurring.AddOrUpdateAsync("a-nightly", "0 3 * * *", new EchoJob("a"), new RecurringJobOptions { Misfire = RecurringMisfirePolicy.Skip, AllowOverlap = false });
        _time.Advance(TimeSpan.FromHours(1));
        await host.PassAsync();

        var all = await host.Recurring.ListAsync();

        all.Select(s => s.Name).Should().Equal("a-nightly", "b-hourly");
        all[0].Should().BeEquivalentTo(new
        {
            Cron = "0 3 * * *", TimeZone = "UTC", JobType = nameof(EchoJob), Queue = "default", Paused = false,
            Misfire = RecurringMisfirePolicy.Skip, AllowOverlap = false, NextRunAt = (DateTimeOffset?)Start.AddHours(3), LastRunAt = (DateTimeOffset?)null, LastJobId = (string?)null,
        });
        all[1].LastRunAt.Should().Be(Start.AddHours(1));
        all[1].NextRunAt.Should().Be(Start.AddHours(2));
        all[1].LastJobId.Should().NotBeNull();
        (await host.Store.GetAsync(all[1].LastJobId!))!.JobType.Should().Be(nameof(RecordJob));
        (await host.Recurring.GetAsync("a-nightly")).Should().BeEquivalentTo(all[0]);
    }

    [Fact]
    public async Task Changing_the_cron_recomputes_the_next_run_and_keeps_the_history()
    {
        await using var host = await RecurringTestHost.StartAsync(_time);
        await host.Recurring.AddOrUpdateAsync("report", "0 * * * *", new RecordJob("r"));
        _time.Advance(TimeSpan.FromHours(1));
        await host.PassAsync();
        var fired = await host.GetAsync("report");

        await host.Recurring.AddOrUpdateAsync("report", "0 * * * *", new RecordJob("other payload"));
        (await host.GetAsync("report")).Should().BeEquivalentTo(fired, "the same cron keeps the next run");

        await host.Recurring.AddOrUpdateAsync("report", "*/10 * * * *", new RecordJob("r"));
        var changed = await host.GetAsync("report");
        changed.Cron.Should().Be("*/10 * * * *");
        changed.NextRunAt.Should().Be(Start.AddHours(1).AddMinutes(10));
        changed.LastRunAt.Should().Be(fired.LastRunAt);
        changed.LastJobId.Should().Be(fired.LastJobId);
    }

    [Fact]
    public async Task Paused_schedule_fires_nothing_and_resumes_from_the_next_occurrence_after_now()
    {
        await using var host = await RecurringTestHost.StartAsync(_time);
        await host.Recurring.AddOrUpdateAsync("minutely", "* * * * *", new RecordJob("m"));

        (await host.Recurring.PauseAsync("minutely")).Should().BeTrue();
        var paused = await host.GetAsync("minutely");
        paused.Paused.Should().BeTrue();
        paused.NextRunAt.Should().BeNull();
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await host.PassAsync();
        }

        (await host.CountJobsAsync()).Should().Be(0, "five due minutes passed while paused");
        _time.Advance(TimeSpan.FromSeconds(30));
        (await host.Recurring.ResumeAsync("minutely")).Should().BeTrue();
        var resumed = await host.GetAsync("minutely");
        resumed.Paused.Should().BeFalse();
        resumed.NextRunAt.Should().Be(Start.AddMinutes(6), "the minutes missed while paused are not fired");
        (await host.Recurring.ResumeAsync("minutely")).Should().BeTrue("resuming a running schedule changes nothing");
        (await host.GetAsync("minutely")).Should().BeEquivalentTo(resumed);

        _time.Advance(TimeSpan.FromSeconds(30));
        await host.PassAsync();
        (await host.GetAsync("minutely")).LastRunAt.Should().Be(Start.AddMinutes(6));
        (await host.CountJobsAsync()).Should().Be(1);
    }

    [Fact]
    public async Task Trigger_enqueues_a_job_now_also_when_paused_and_records_it_as_the_last_job()
    {
        await using var host = await RecurringTestHost.StartAsync(_time);
        await host.Recurring.AddOrUpdateAsync("nightly", "0 3 * * *", new RecordJob("n"), new RecurringJobOptions { MaxAttempts = 2 });
        await host.Recurring.PauseAsync("nightly");

        var first = await host.Recurring.TriggerAsync("nightly");
        var second = await host.Recurring.TriggerAsync("nightly");

        first.Should().NotBeNull().And.NotBe(second, "a trigger has no idempotency key");
        var job = await host.Store.GetAsync(first!);
        job!.State.Should().Be(JobState.Queued);
        job.MaxAttempts.Should().Be(2);
        job.JobType.Should().Be(nameof(RecordJob));
        var info = await host.GetAsync("nightly");
        info.LastJobId.Should().Be(second);
        info.LastRunAt.Should().BeNull("a trigger is not an occurrence");
        info.Paused.Should().BeTrue();
    }

    [Fact]
    public async Task Removed_schedule_is_gone_and_fires_nothing_while_its_jobs_stay()
    {
        await using var host = await RecurringTestHost.StartAsync(_time);
        await host.Recurring.AddOrUpdateAsync("minutely", "* * * * *", new RecordJob("m"));
        _time.Advance(TimeSpan.FromMinutes(1));
        await host.PassAsync();
        var jobId = (await host.GetAsync("minutely")).LastJobId!;

        (await host.Recurring.RemoveAsync("minutely")).Should().BeTrue();
        _time.Advance(TimeSpan.FromMinutes(1));
        await host.PassAsync();

        (await host.Recurring.GetAsync("minutely")).Should().BeNull();
        (await host.Recurring.ListAsync()).Should().BeEmpty();
        (await host.CountJobsAsync()).Should().Be(1, "the minute after the removal fired nothing");
        (await host.Store.GetAsync(jobId)).Should().NotBeNull();
        (await host.Recurring.RemoveAsync("minutely")).Should().BeFalse();
    }

    [Fact]
    public async Task Unknown_names_answer_false_or_null()
    {
        await using var host = await RecurringTestHost.StartAsync(_time);

        (await host.Recurring.PauseAsync("nope")).Should().BeFalse();
        (await host.Recurring.ResumeAsync("nope")).Should().BeFalse();
        (await host.Recurring.RemoveAsync("nope")).Should().BeFalse();
        (await host.Recurring.TriggerAsync("nope")).Should().BeNull();
        (await host.Recurring.GetAsync("nope")).Should().BeNull();
        (await host.Recurring.GetAsync("not a valid name")).Should().BeNull();
        (await host.CountJobsAsync()).Should().Be(0);
    }

    [Theory]
    [InlineData("* * * *", "4 field(s)")]
    [InlineData("* * * * * * *", "7 field(s)")]
    [InlineData("61 * * * *", "is not valid")]
    [InlineData("", "empty")]
    public async Task Bad_cron_at_run_time_is_an_ArgumentException_naming_the_problem(string cron, string message)
    {
        await using var host = await RecurringTestHost.StartAsync(_time);

        var add = async () => await host.Recurring.AddOrUpdateAsync("x", cron, new RecordJob("x"));

        (await add.Should().ThrowAsync<ArgumentException>()).WithMessage($"*{message}*").Which.ParamName.Should().Be("cron");
        (await host.Recurring.ListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Unregistered_job_type_unknown_queue_or_rate_limit_is_refused_at_run_time()
    {
        await using var host = await RecurringTestHost.StartAsync(_time);

        var type = async () => await host.Recurring.AddOrUpdateAsync("x", "* * * * *", new SlowJob("s", 1));
        var queue = async () => await host.Recurring.AddOrUpdateAsync("x", "* * * * *", new RecordJob("x"), new RecurringJobOptions { Queue = "reports" });
        var limit = async () => await host.Recurring.AddOrUpdateAsync("x", "* * * * *", new RecordJob("x"), new RecurringJobOptions { LimitKey = "partner" });

        (await type.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*AddHandler<SlowJob, THandler>()*");
        (await queue.Should().ThrowAsync<ArgumentException>()).WithMessage("*queue 'reports' is not configured*AddQueue*");
        (await limit.Should().ThrowAsync<ArgumentException>()).WithMessage("*rate limit 'partner' is not configured*RateLimits*");
        (await host.Recurring.ListAsync()).Should().BeEmpty();
    }
}
