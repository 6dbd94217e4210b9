using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Backends;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>The in-memory status table: ids that carry their record's slot, records reused once their status expired.</summary>
public sealed class InMemoryRecordReuseTests : JobBackendTestBase
{
    private const int SlotPrefix = 8 + 8; // "default." and the slot's 8 hex digits

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    protected override void UseBackend(JobsBuilder builder) => builder.UseInMemory(o => o.Capacity = 2);

    [Fact]
    public async Task Expired_status_frees_its_record_for_a_later_job_and_the_old_id_reads_nothing()
    {
        var host = await StartHostAsync(o => o.RetentionPeriod = TimeSpan.FromMinutes(1), services: s => s.AddSingleton<TimeProvider>(_time));
        var backend = Backend(host);
        var first = await host.Queue.EnqueueAsync(new EchoJob("first"));
        await host.WaitForStateAsync(first, JobState.Succeeded);
        backend.RecordsInUse.Should().Be(1);

        _time.Advance(TimeSpan.FromMinutes(2));
        await WaitUntilAsync(() => Task.FromResult(backend.RecordsInUse == 0));
        var second = await host.Queue.EnqueueAsync(new EchoJob("second"));
        await host.WaitForStateAsync(second, JobState.Succeeded);

        second.Should().NotBe(first);
        second[..SlotPrefix].Should().Be(first[..SlotPrefix], "the second job took the first job's record");
        (await host.Store.GetAsync(first)).Should().BeNull();
        (await host.Queue.CancelAsync(first)).Should().BeFalse();
        var info = await host.Store.GetAsync(second);
        info!.Id.Should().Be(second);
        info.Result!.Value.GetProperty("upper").GetString().Should().Be("SECOND");
    }

    [Fact]
    public async Task Cancelled_job_still_in_the_channel_does_not_run_when_its_record_was_reused()
    {
        var host = await StartHostAsync(
            o =>
            {
                o.Concurrency = 1;
                o.RetentionPeriod = TimeSpan.FromMinutes(1);
            },
            services: s => s.AddSingleton<TimeProvider>(_time));
        var backend = Backend(host);
        var gate = await host.Queue.EnqueueAsync(new RecordJob("gate"));
        await host.WaitForStateAsync(gate, JobState.Running);
        var cancelled = await host.Queue.EnqueueAsync(new RecordJob("cancelled"));
        (await host.Queue.CancelAsync(cancelled)).Should().BeTrue();

        _time.Advance(TimeSpan.FromMinutes(2));
        await WaitUntilAsync(() => Task.FromResult(backend.RecordsInUse == 1));
        var reused = await host.Queue.EnqueueAsync(new RecordJob("reused"));
        reused[..SlotPrefix].Should().Be(cancelled[..SlotPrefix], "the new job took the cancelled job's record while its delivery still waits in the channel");
        host.Probe.Gate.SetResult();
        await host.WaitForStateAsync(reused, JobState.Succeeded);

        host.Probe.Runs.Should().Equal("gate", "reused");
        (await host.Store.GetAsync(cancelled)).Should().BeNull();
    }

    [Fact]
    public async Task Ids_name_their_queue_and_an_altered_or_foreign_id_reads_nothing()
    {
        var host = await StartHostAsync();
        var id = await host.Queue.EnqueueAsync(new EchoJob("x"));
        await host.WaitForStateAsync(id, JobState.Succeeded);

        id.Should().MatchRegex("^default\\.[0-9a-f]{32}$");
        var lastDigit = id[^1] == '0' ? '1' : '0';
        string[] others =
        [
            id[..^1] + lastDigit,
            id.ToUpperInvariant(),
            "other" + id["default".Length..],
            id + "0",
            "default." + new string('z', 32),
            "default.ffffffff" + id[SlotPrefix..],
            "nonsense",
        ];
        foreach (var other in others)
        {
            (await host.Store.GetAsync(other)).Should().BeNull(other);
            (await host.Queue.CancelAsync(other)).Should().BeFalse(other);
        }

        (await host.Store.GetAsync(id))!.State.Should().Be(JobState.Succeeded);
    }

    [Fact]
    public async Task Cancel_reaches_a_running_job_among_more_than_the_first_sixteen()
    {
        var host = await StartHostAsync(o => o.Concurrency = 40);
        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add(await host.Queue.EnqueueAsync(new BlockingJob($"b{i}")));
        }

        for (var i = 0; i < 40; i++)
        {
            await host.Probe.WaitStartedAsync($"b{i}");
        }

        (await host.Queue.CancelAsync(ids[37])).Should().BeTrue();
        await host.WaitForStateAsync(ids[37], JobState.Cancelled);

        host.Probe.TokensFired.Should().Equal("b37");
        (await host.Store.GetAsync(ids[36]))!.State.Should().Be(JobState.Running);
    }

    private static InMemoryJobBackend Backend(TestJobsHost host) => (InMemoryJobBackend)host.Services.GetRequiredService<IJobBackend>();
}
