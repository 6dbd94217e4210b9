using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary><c>AddRecurring</c>: checked when registered and at start; written to the backend at every start.</summary>
public sealed class RecurringRegistrationTests
{
    private static readonly DateTimeOffset Start = RecurringTestHost.Start;
    private readonly FakeTimeProvider _time = new(Start);

    [Theory]
    [InlineData("* * *", "cron", "3 field(s)*five*six with seconds first")]
    [InlineData("0 25 * * *", "cron", "\"0 25 * * *\" is not valid*")]
    [InlineData("* * * * MON-XYZ", "cron", "is not valid")]
    public void Bad_cron_is_refused_when_registered(string cron, string param, string message)
    {
        var add = () => new ServiceCollection().AddStrataJobs().AddHandler<RecordJob, RecordHandler>().AddRecurring("report", cron, new RecordJob("r"));

        add.Should().Throw<ArgumentException>().WithMessage($"*{message}*").Which.ParamName.Should().Be(param);
    }

    [Theory]
    [InlineData("")]
    [InlineData("nightly report")]
    [InlineData("reports/nightly")]
    [InlineData("état")]
    public void Bad_name_is_refused_when_registered(string name)
    {
        var add = () => new ServiceCollection().AddStrataJobs().AddHandler<RecordJob, RecordHandler>().AddRecurring(name, "0 3 * * *", new RecordJob("r"));

        add.Should().Throw<ArgumentException>().WithMessage("*ASCII letters, digits, '-', '_' and '.'*").Which.ParamName.Should().Be("name");
    }

    [Fact]
    public void Name_longer_than_100_characters_or_registered_twice_is_refused()
    {
        var jobs = new ServiceCollection().AddStrataJobs().AddHandler<RecordJob, RecordHandler>();
        var tooLong = () => jobs.AddRecurring(new string('a', 101), "0 3 * * *", new RecordJob("r"));
        jobs.AddRecurring("report.v1", "0 3 * * *", new RecordJob("r"));
        var twice = () => jobs.AddRecurring("report.v1", "0 4 * * *", new RecordJob("r"));

        tooLong.Should().Throw<ArgumentException>().WithMessage("*1 to 100*");
        twice.Should().Throw<ArgumentException>().WithMessage("*\"report.v1\" is already registered*");
    }

    [Fact]
    public void Time_zone_other_hosts_cannot_find_by_id_and_bad_numbers_are_refused_when_registered()
    {
        var jobs = new ServiceCollection().AddStrataJobs().AddHandler<RecordJob, RecordHandler>();
        var custom = TimeZoneInfo.CreateCustomTimeZone("Strata/Custom", TimeSpan.FromHours(2), "Custom", "Custom");

        var zone = () => jobs.AddRecurring("a", "0 3 * * *", new RecordJob("r"), o => o.TimeZone = custom);
        var attempts = () => jobs.AddRecurring("b", "0 3 * * *", new RecordJob("r"), o => o.MaxAttempts = 0);
        var timeout = () => jobs.AddRecurring("c", "0 3 * * *", new RecordJob("r"), o => o.Timeout = TimeSpan.Zero);

        zone.Should().Throw<ArgumentException>().WithMessage("*TimeZone 'Strata/Custom' is not a system time zone*FindSystemTimeZoneById*");
        attempts.Should().Throw<ArgumentException>().WithMessage("*MaxAttempts must be at least 1*");
        timeout.Should().Throw<ArgumentException>().WithMessage("*Timeout must be positive*");
        jobs.Services.Should().NotContain(d => d.ServiceType == typeof(RecurringRegistration));
    }

    [Fact]
    public async Task Registration_of_an_unregistered_job_type_or_unknown_queue_stops_the_host_at_start()
    {
        using var type = RecurringTestHost.Build(_time, jobs => jobs.AddRecurring("slow", "* * * * *", new SlowJob("s", 1)));
        using var queue = RecurringTestHost.Build(_time, jobs => jobs.AddRecurring("q", "* * * * *", new RecordJob("r"), o => o.Queue = "reports"));

        var startType = () => type.StartAsync();
        var startQueue = () => queue.StartAsync();

        await startType.Should().ThrowAsync<InvalidOperationException>().WithMessage("*AddHandler<SlowJob, THandler>()*");
        await startQueue.Should().ThrowAsync<ArgumentException>().WithMessage("*Recurring job 'q': queue 'reports' is not configured*");
    }

    [Fact]
    public async Task Code_registration_is_written_at_start_and_a_restart_keeps_the_pause_flag_and_history()
    {
        var first = await RecurringTestHost.StartAsync(_time, jobs => jobs.AddRecurring("report", "0 * * * *", new RecordJob("v1")));
        var written = await first.GetAsync("report");
        written.NextRunAt.Should().Be(Start.AddHours(1));
        _time.Advance(TimeSpan.FromHours(1));
        await first.PassAsync();
        var fired = await first.GetAsync("report");
        (await first.Recurring.PauseAsync("report")).Should().BeTrue();
        await first.Host.StopAsync();

        // The next deployment: a new payload, same cron; then another with a new cron.
        await using var second = await RecurringTestHost.StartAsync(_time, jobs => jobs.AddRecurring("report", "0 * * * *", new RecordJob("v2")), sharedBackend: first.Backend);
        var restarted = await second.GetAsync("report");
        restarted.Paused.Should().BeTrue();
        restarted.NextRunAt.Should().BeNull();
        restarted.LastRunAt.Should().Be(fired.LastRunAt);
        restarted.LastJobId.Should().Be(fired.LastJobId);

        (await second.Recurring.ResumeAsync("report")).Should().BeTrue();
        await second.Host.StopAsync();
        await using var third = await RecurringTestHost.StartAsync(_time, jobs => jobs.AddRecurring("report", "30 * * * *", new RecordJob("v3")), sharedBackend: first.Backend);
        var changed = await third.GetAsync("report");
        changed.Cron.Should().Be("30 * * * *");
        changed.Paused.Should().BeFalse();
        changed.NextRunAt.Should().Be(Start.AddHours(1).AddMinutes(30), "the cron changed, so the next run is the next occurrence after now");
        changed.LastJobId.Should().Be(fired.LastJobId);

        _time.Advance(TimeSpan.FromMinutes(30));
        await third.PassAsync();
        var payload = await third.Backend.GetAsync((await third.GetAsync("report")).LastJobId!, CancellationToken.None);
        payload!.JobType.Should().Be(nameof(RecordJob));
        (await third.CountJobsAsync()).Should().Be(2);
        first.Host.Dispose();
    }

    [Fact]
    public async Task Host_without_workers_writes_its_registrations_at_start()
    {
        await using var host = await RecurringTestHost.StartAsync(_time, jobs => jobs.AddRecurring("report", "* * * * *", new RecordJob("r")));

        (await host.Recurring.ListAsync()).Should().ContainSingle().Which.NextRunAt.Should().Be(Start.AddMinutes(1));
        host.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "RecurringRegistered").Which.Message.Should().Contain("1 registered in code");
    }
}
