using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>Pause flags, schedules and the fleet-wide limits, shared by every host on one Redis.</summary>
public sealed class OperationsControlTests(RedisFixture redis) : OperationsTestBase(redis), IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Pause_flag_set_by_one_host_is_read_by_another()
    {
        var one = await StartProducerAsync("default", "reports");
        var two = await StartProducerAsync("default", "reports");

        await one.Backend.SetQueuePausedAsync("reports", true, default);
        await one.Backend.SetQueuePausedAsync("reports", true, default);
        (await two.Backend.GetPausedQueuesAsync(default)).Should().Equal("reports");

        await two.Backend.SetQueuePausedAsync("reports", false, default);
        (await one.Backend.GetPausedQueuesAsync(default)).Should().BeEmpty();
    }

    [Fact]
    public async Task Of_two_writers_that_read_the_same_schedule_version_exactly_one_wins()
    {
        var one = await StartProducerAsync();
        var two = await StartProducerAsync();

        var created = await Task.WhenAll(
            one.Backend.SaveScheduleAsync("nightly", "{\"by\":1}", 0, default).AsTask(),
            two.Backend.SaveScheduleAsync("nightly", "{\"by\":2}", 0, default).AsTask());
        created.Count(c => c).Should().Be(1, "only one may create the schedule");

        var read = (await one.Backend.GetSchedulesAsync(default)).Single();
        read.Version.Should().Be(1);
        var updated = await Task.WhenAll(
            one.Backend.SaveScheduleAsync("nightly", "{\"v\":\"one: a colon\"}", read.Version, default).AsTask(),
            two.Backend.SaveScheduleAsync("nightly", "{\"v\":\"two\"}", read.Version, default).AsTask());
        updated.Count(c => c).Should().Be(1, "only one may write over version 1");

        var after = (await two.Backend.GetSchedulesAsync(default)).Single();
        after.Version.Should().Be(2);
        after.Data.Should().Be(updated[0] ? "{\"v\":\"one: a colon\"}" : "{\"v\":\"two\"}");
        (await one.Backend.SaveScheduleAsync("nightly", "stale", 1, default)).Should().BeFalse();
        (await one.Backend.DeleteScheduleAsync("nightly", default)).Should().BeTrue();
        (await two.Backend.DeleteScheduleAsync("nightly", default)).Should().BeFalse();
        (await two.Backend.GetSchedulesAsync(default)).Should().BeEmpty();
    }

    [Fact]
    public async Task Slots_honour_the_limit_across_hosts_and_release_frees_one()
    {
        var one = (await StartProducerAsync()).Backend;
        var two = (await StartProducerAsync()).Backend;
        var lease = TimeSpan.FromMinutes(1);

        (await one.TryAcquireSlotAsync("queue:reports", 2, "a", lease, default)).Should().BeTrue();
        (await two.TryAcquireSlotAsync("queue:reports", 2, "b", lease, default)).Should().BeTrue();
        (await one.TryAcquireSlotAsync("queue:reports", 2, "c", lease, default)).Should().BeFalse("both slots are held");
        (await two.TryAcquireSlotAsync("queue:reports", 2, "a", lease, default)).Should().BeTrue("a holder keeps its slot");
        (await one.TryAcquireSlotAsync("queue:other", 1, "c", lease, default)).Should().BeTrue("scopes are apart");

        await two.ReleaseSlotAsync("queue:reports", "b", default);
        await two.ReleaseSlotAsync("queue:reports", "nobody", default);

        (await one.TryAcquireSlotAsync("queue:reports", 2, "c", lease, default)).Should().BeTrue();
    }

    [Fact]
    public async Task A_lapsed_lease_frees_its_slot_and_a_renewed_one_keeps_it()
    {
        var backend = (await StartProducerAsync()).Backend;
        var lease = TimeSpan.FromMilliseconds(600);
        (await backend.TryAcquireSlotAsync("s", 1, "renewed", lease, default)).Should().BeTrue();

        // Renewed twice, it is held past its first lease's end (1.2 s > 600 ms).
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(400);
            (await backend.TryAcquireSlotAsync("s", 1, "renewed", lease, default)).Should().BeTrue();
            (await backend.TryAcquireSlotAsync("s", 1, "other", lease, default)).Should().BeFalse("the renewed lease still holds the slot");
        }

        // Not renewed, the lease lapses and the slot goes to the next taker.
        var taken = DateTimeOffset.UtcNow;
        await WaitUntilAsync(async () => await backend.TryAcquireSlotAsync("s", 1, "other", lease, default));
        (DateTimeOffset.UtcNow - taken).Should().BeGreaterThan(TimeSpan.FromMilliseconds(100), "the slot was held until the lease lapsed");
    }

    [Fact]
    public async Task A_burst_of_fifty_takes_from_two_hosts_admits_exactly_the_permits_of_the_window()
    {
        var one = (await StartProducerAsync()).Backend;
        var two = (await StartProducerAsync()).Backend;
        var window = TimeSpan.FromSeconds(30);

        var waits = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(async () => await (i % 2 == 0 ? one : two).TryTakePermitAsync("limit:partner-api", 10, window, default))));

        waits.Count(w => w == TimeSpan.Zero).Should().Be(10);
        waits.Where(w => w != TimeSpan.Zero).Should().OnlyContain(w => w > TimeSpan.Zero && w <= window);
    }

    [Fact]
    public async Task A_refused_permit_says_when_the_oldest_leaves_the_window_and_one_is_free_then()
    {
        var backend = (await StartProducerAsync()).Backend;
        var window = TimeSpan.FromMilliseconds(800);
        (await backend.TryTakePermitAsync("limit:x", 2, window, default)).Should().Be(TimeSpan.Zero);
        (await backend.TryTakePermitAsync("limit:x", 2, window, default)).Should().Be(TimeSpan.Zero);

        var wait = await backend.TryTakePermitAsync("limit:x", 2, window, default);

        wait.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(window);
        await Task.Delay(wait + TimeSpan.FromMilliseconds(5));
        (await backend.TryTakePermitAsync("limit:x", 2, window, default)).Should().Be(TimeSpan.Zero, "the oldest permit has left the window");
    }
}
