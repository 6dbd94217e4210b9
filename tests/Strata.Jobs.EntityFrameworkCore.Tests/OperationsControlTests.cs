using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Backends;
using Strata.Testing;

namespace Strata.Jobs.EntityFrameworkCore.Tests;

/// <summary>
/// Pause flags, schedules, slots, permits and deferral across two hosts on one database: two backends with their own
/// connections, as two nodes of a fleet. Time-bound behaviour runs on one fake clock that both hosts read.
/// </summary>
public abstract class OperationsControlTests : OperationsTestBase
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_queue_paused_on_one_host_is_paused_on_the_other_until_resumed_there()
    {
        var (one, two) = (await StartHostAsync(), await StartHostAsync());
        var queue = NewQueue("paused");

        await one.Backend.SetQueuePausedAsync(queue, paused: true, CancellationToken.None);

        (await two.Backend.GetPausedQueuesAsync(CancellationToken.None)).Should().Contain(queue);
        await two.Backend.SetQueuePausedAsync(queue, paused: false, CancellationToken.None);
        (await one.Backend.GetPausedQueuesAsync(CancellationToken.None)).Should().NotContain(queue);
    }

    [Fact]
    public async Task Of_two_hosts_writing_a_schedule_from_the_same_version_exactly_one_wins_each_round()
    {
        var (one, two) = (await StartHostAsync(), await StartHostAsync());
        var name = "nightly-" + Guid.NewGuid().ToString("N")[..8];
        (await one.Backend.SaveScheduleAsync(name, "{\"round\":0}", 0, CancellationToken.None)).Should().BeTrue();

        for (var round = 1; round <= 10; round++)
        {
            var version = (await two.Backend.GetSchedulesAsync(CancellationToken.None)).Single(s => s.Name == name).Version;
            var data = $"{{\"round\":{round}}}";
            var results = await Task.WhenAll(
                Task.Run(async () => await one.Backend.SaveScheduleAsync(name, data + " ", version, CancellationToken.None)),
                Task.Run(async () => await two.Backend.SaveScheduleAsync(name, data, version, CancellationToken.None)));
            results.Count(won => won).Should().Be(1, $"round {round}: one writer of version {version} wins");
        }

        var entry = (await one.Backend.GetSchedulesAsync(CancellationToken.None)).Single(s => s.Name == name);
        entry.Version.Should().Be(11);
        entry.Data.Trim().Should().Be("{\"round\":10}");
    }

    [Fact]
    public async Task Twenty_acquirers_on_two_hosts_get_exactly_the_limit_of_three_slots()
    {
        var (one, two) = (await StartHostAsync(), await StartHostAsync());
        var scope = "queue:" + NewQueue("slots");

        var taken = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(async () => await (i % 2 == 0 ? one : two).Backend.TryAcquireSlotAsync(scope, 3, $"job-{i}", Lease, CancellationToken.None))));

        taken.Count(t => t).Should().Be(3);
        var holders = Enumerable.Range(0, 20).Where(i => taken[i]).Select(i => $"job-{i}").ToList();
        (await two.Backend.TryAcquireSlotAsync(scope, 3, holders[0], Lease, CancellationToken.None)).Should().BeTrue("a holder keeps its slot");
        await one.Backend.ReleaseSlotAsync(scope, holders[1], CancellationToken.None);
        (await two.Backend.TryAcquireSlotAsync(scope, 3, "late", Lease, CancellationToken.None)).Should().BeTrue("the released slot is free");
        (await one.Backend.TryAcquireSlotAsync(scope, 3, "later", Lease, CancellationToken.None)).Should().BeFalse();
    }

    [Fact]
    public async Task A_slot_whose_lease_ran_out_on_the_fleet_clock_is_free_and_a_renewed_one_is_not()
    {
        var time = new FakeTimeProvider(Epoch);
        var (one, two) = (await StartHostAsync(time), await StartHostAsync(time));
        var scope = "queue:" + NewQueue("lease");

        (await one.Backend.TryAcquireSlotAsync(scope, 2, "crashed", Lease, CancellationToken.None)).Should().BeTrue();
        (await one.Backend.TryAcquireSlotAsync(scope, 2, "alive", Lease, CancellationToken.None)).Should().BeTrue();
        (await two.Backend.TryAcquireSlotAsync(scope, 2, "waiting", Lease, CancellationToken.None)).Should().BeFalse();

        time.Advance(TimeSpan.FromSeconds(40));
        (await one.Backend.TryAcquireSlotAsync(scope, 2, "alive", Lease, CancellationToken.None)).Should().BeTrue("renewed until 100 s");
        time.Advance(TimeSpan.FromSeconds(21));

        (await two.Backend.TryAcquireSlotAsync(scope, 2, "waiting", Lease, CancellationToken.None)).Should().BeTrue("the crashed holder's lease ran out at 60 s");
        (await two.Backend.TryAcquireSlotAsync(scope, 2, "another", Lease, CancellationToken.None)).Should().BeFalse("the renewed slot is still held");
    }

    [Fact]
    public async Task A_burst_of_fifty_takes_on_two_hosts_admits_exactly_ten_permits_until_the_window_moves()
    {
        var time = new FakeTimeProvider(Epoch);
        var (one, two) = (await StartHostAsync(time), await StartHostAsync(time));
        var key = "limit:" + NewQueue("partner");
        var window = TimeSpan.FromSeconds(1);

        var waits = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(async () => await (i % 2 == 0 ? one : two).Backend.TryTakePermitAsync(key, 10, window, CancellationToken.None))));

        waits.Count(w => w == TimeSpan.Zero).Should().Be(10);
        waits.Where(w => w != TimeSpan.Zero).Should().OnlyContain(w => w == window, "all ten were taken at this instant, so one is free a window later");

        time.Advance(TimeSpan.FromMilliseconds(999));
        (await one.Backend.TryTakePermitAsync(key, 10, window, CancellationToken.None)).Should().Be(TimeSpan.FromMilliseconds(1));
        time.Advance(TimeSpan.FromMilliseconds(1));
        var next = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            Task.Run(async () => await (i % 2 == 0 ? one : two).Backend.TryTakePermitAsync(key, 10, window, CancellationToken.None))));
        next.Count(w => w == TimeSpan.Zero).Should().Be(10, "the whole first burst left the window together");
    }

    [Fact]
    public async Task A_deferred_retry_keeps_its_attempt_and_limit_key_and_is_not_a_redelivery()
    {
        var time = new FakeTimeProvider(Epoch);
        var host = await StartHostAsync(time);
        var queue = NewQueue("defer");
        var stored = (await EnqueueAsync(host.Backend, 1, _ => Envelope(queue, Epoch, limitKey: "partner-api"))).Single();

        var first = (await host.Backend.ReceiveAsync(queue, 10, CancellationToken.None)).Should().ContainSingle().Subject;
        first.Envelope.LimitKey.Should().Be("partner-api");
        await host.Backend.RetryAsync(first, Epoch, "The handler failed with TimeoutException.", CancellationToken.None);
        var second = (await host.Backend.ReceiveAsync(queue, 10, CancellationToken.None)).Should().ContainSingle().Subject;
        second.Envelope.Attempt.Should().Be(2);

        await host.Backend.DeferAsync(second, Epoch.AddSeconds(30), CancellationToken.None);

        var waiting = await host.Backend.GetAsync(stored.Id, CancellationToken.None);
        waiting!.State.Should().Be(JobState.Scheduled);
        waiting.Attempt.Should().Be(1, "the deferred attempt never ran");
        waiting.ScheduledFor.Should().Be(Epoch.AddSeconds(30));
        (await host.Backend.ReceiveAsync(queue, 10, CancellationToken.None)).Should().BeEmpty("it waits for its time");
        await host.Backend.SucceedAsync(second, "{}", CancellationToken.None);
        (await host.Backend.GetAsync(stored.Id, CancellationToken.None))!.State.Should().Be(JobState.Scheduled, "the deferred delivery settles nothing more");

        time.Advance(TimeSpan.FromSeconds(30));
        var third = (await host.Backend.ReceiveAsync(queue, 10, CancellationToken.None)).Should().ContainSingle().Subject;
        third.Envelope.Attempt.Should().Be(2);
        third.DeliveryCount.Should().Be(1, "a deferral is not a redelivery");
        third.Envelope.LimitKey.Should().Be("partner-api");
        await host.Backend.SucceedAsync(third, null, CancellationToken.None);
        var done = await host.Backend.GetAsync(stored.Id, CancellationToken.None);
        done!.State.Should().Be(JobState.Succeeded);
        done.Redeliveries.Should().Be(0);
    }

    [Fact]
    public async Task A_job_cancelled_while_held_ends_cancelled_when_deferred()
    {
        var host = await StartHostAsync();
        var queue = NewQueue("defer-cancel");
        var stored = (await EnqueueAsync(host.Backend, 1, _ => Envelope(queue, Epoch))).Single();
        var delivery = (await host.Backend.ReceiveAsync(queue, 10, CancellationToken.None)).Should().ContainSingle().Subject;
        (await host.Backend.CancelAsync(stored.Id, CancellationToken.None)).Should().BeTrue();

        await host.Backend.DeferAsync(delivery, DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None);

        (await host.Backend.GetAsync(stored.Id, CancellationToken.None))!.State.Should().Be(JobState.Cancelled);
    }

    [Fact]
    public async Task The_limit_key_travels_with_every_delivery_whichever_way_the_job_was_stored()
    {
        var host = await StartHostAsync();
        var queue = NewQueue("limitkey");
        await EnqueueAsync(host.Backend, 3, i => Envelope(queue, Epoch.AddSeconds(i), limitKey: i == 2 ? null : "partner-api"));
        (await host.Backend.EnqueueAsync(Envelope(queue, Epoch.AddSeconds(5), key: "k1", limitKey: "mail"), null, false, CancellationToken.None)).Status
            .Should().Be(EnqueueStatus.Enqueued);

        var deliveries = await host.Backend.ReceiveAsync(queue, 10, CancellationToken.None);

        deliveries.Select(d => d.Envelope.LimitKey).Should().Equal("partner-api", "partner-api", null, "mail");
    }
}

public sealed class SqliteOperationsControlTests : OperationsControlTests, IDisposable
{
    private readonly SqliteDatabase _database = new();

    protected override ITestDatabase Database => _database;

    public void Dispose() => _database.Dispose();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresOperationsControlTests(PostgresCluster cluster) : OperationsControlTests
{
    private PostgresDatabase? _database;

    protected override ITestDatabase Database => _database!;

    public override async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync(cluster);
}
