using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Backends;
using Xunit;

namespace Strata.Jobs.Testing;

/// <summary>The control part of the contract: pause flags, schedules, slots, permits and deferral.</summary>
public abstract partial class JobBackendContractTests
{
    /// <summary>Pause flags are idempotent, and a durable backend shows them to another host.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Pause_flags_are_stored_once_and_a_durable_backend_shows_them_to_every_host()
    {
        var host = await StartHostAsync(o => o.AddQueue("default").AddQueue("reports"));
        var backend = host.Backend;

        await backend.SetQueuePausedAsync("reports", paused: true, CancellationToken.None);
        await backend.SetQueuePausedAsync("reports", paused: true, CancellationToken.None);
        Assert.Equal(["reports"], await backend.GetPausedQueuesAsync(CancellationToken.None));

        if (!backend.JobsLiveInProcess)
        {
            var other = await StartHostAsync(o => o.AddQueue("default").AddQueue("reports"));
            Assert.Equal(["reports"], await other.Backend.GetPausedQueuesAsync(CancellationToken.None));
            await other.Backend.SetQueuePausedAsync("reports", paused: false, CancellationToken.None);
        }
        else
        {
            await backend.SetQueuePausedAsync("reports", paused: false, CancellationToken.None);
        }

        Assert.Empty(await backend.GetPausedQueuesAsync(CancellationToken.None));
        await backend.SetQueuePausedAsync("reports", paused: false, CancellationToken.None);
        Assert.Empty(await backend.GetPausedQueuesAsync(CancellationToken.None));
    }

    /// <summary>Schedules are written by compare-and-set: of writers that read the same version, exactly one wins.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Schedule_writes_are_compare_and_set_and_exactly_one_racing_writer_wins()
    {
        var host = await StartHostAsync();
        var backend = host.Backend;
        var name = "s-" + Guid.NewGuid().ToString("N")[..8];

        Assert.True(await backend.SaveScheduleAsync(name, "{\"v\":\"a\"}", 0, CancellationToken.None));
        Assert.False(await backend.SaveScheduleAsync(name, "{\"v\":\"b\"}", 0, CancellationToken.None), "create of an existing name");
        Assert.Equal(new JobScheduleEntry(name, 1, "{\"v\":\"a\"}"), await FindScheduleAsync(backend, name));

        Assert.True(await backend.SaveScheduleAsync(name, "{\"v\":\"c\"}", 1, CancellationToken.None));
        Assert.False(await backend.SaveScheduleAsync(name, "{\"v\":\"d\"}", 1, CancellationToken.None), "a stale version");
        Assert.Equal(new JobScheduleEntry(name, 2, "{\"v\":\"c\"}"), await FindScheduleAsync(backend, name));

        var racers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            Task.Run(async () => await backend.SaveScheduleAsync(name, $"{{\"v\":{i}}}", 2, CancellationToken.None))));
        Assert.Equal(1, racers.Count(won => won));
        var winner = Array.IndexOf(racers, true);
        Assert.Equal(new JobScheduleEntry(name, 3, $"{{\"v\":{winner}}}"), await FindScheduleAsync(backend, name));

        Assert.True(await backend.DeleteScheduleAsync(name, CancellationToken.None));
        Assert.False(await backend.DeleteScheduleAsync(name, CancellationToken.None));
        Assert.Null(await FindScheduleAsync(backend, name));
        Assert.True(await backend.SaveScheduleAsync(name, "{}", 0, CancellationToken.None), "a deleted name can be created again");
    }

    /// <summary>Slots admit at most their limit, a holder keeps its slot, release and lease expiry free one.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Slots_admit_at_most_the_limit_and_free_on_release_or_lease_expiry()
    {
        var host = await StartHostAsync();
        var backend = host.Backend;
        var scope = "queue:s" + Guid.NewGuid().ToString("N")[..8];
        var lease = TimeSpan.FromMinutes(1);

        Assert.True(await backend.TryAcquireSlotAsync(scope, 2, "a", lease, CancellationToken.None));
        Assert.True(await backend.TryAcquireSlotAsync(scope, 2, "b", lease, CancellationToken.None));
        Assert.False(await backend.TryAcquireSlotAsync(scope, 2, "c", lease, CancellationToken.None), "a third holder over a limit of 2");
        Assert.True(await backend.TryAcquireSlotAsync(scope, 2, "a", lease, CancellationToken.None), "a holder renews its own slot");
        await backend.ReleaseSlotAsync(scope, "a", CancellationToken.None);
        await backend.ReleaseSlotAsync(scope, "nobody", CancellationToken.None);
        Assert.True(await backend.TryAcquireSlotAsync(scope, 2, "c", lease, CancellationToken.None), "a released slot is free");

        var racing = "queue:r" + Guid.NewGuid().ToString("N")[..8];
        var taken = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(async () => await backend.TryAcquireSlotAsync(racing, 3, $"h{i}", lease, CancellationToken.None))));
        Assert.Equal(3, taken.Count(t => t));

        var short1 = "queue:l" + Guid.NewGuid().ToString("N")[..8];
        Assert.True(await backend.TryAcquireSlotAsync(short1, 1, "crashed", TimeSpan.FromMilliseconds(300), CancellationToken.None));
        Assert.False(await backend.TryAcquireSlotAsync(short1, 1, "next", lease, CancellationToken.None));
        var freed = await PollAsync(async () => await backend.TryAcquireSlotAsync(short1, 1, "next", lease, CancellationToken.None));
        Assert.True(freed, "a slot whose lease ran out was not freed within 10 s");
    }

    /// <summary>Permits: a burst admits exactly the limit; the refused get a wait, after which a permit is free.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Permits_admit_exactly_the_limit_in_a_window_and_say_how_long_to_wait()
    {
        var host = await StartHostAsync();
        var backend = host.Backend;
        var key = "limit:p" + Guid.NewGuid().ToString("N")[..8];

        var waits = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            Task.Run(async () => await backend.TryTakePermitAsync(key, 10, TimeSpan.FromSeconds(30), CancellationToken.None))));
        Assert.Equal(10, waits.Count(w => w == TimeSpan.Zero));
        Assert.All(waits.Where(w => w != TimeSpan.Zero), w => Assert.InRange(w, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(30)));

        var shortKey = "limit:s" + Guid.NewGuid().ToString("N")[..8];
        var window = TimeSpan.FromMilliseconds(400);
        Assert.Equal(TimeSpan.Zero, await backend.TryTakePermitAsync(shortKey, 2, window, CancellationToken.None));
        Assert.Equal(TimeSpan.Zero, await backend.TryTakePermitAsync(shortKey, 2, window, CancellationToken.None));
        var wait = await backend.TryTakePermitAsync(shortKey, 2, window, CancellationToken.None);
        Assert.InRange(wait, TimeSpan.FromTicks(1), window);
        await Task.Delay(wait + TimeSpan.FromMilliseconds(20));
        Assert.Equal(TimeSpan.Zero, await backend.TryTakePermitAsync(shortKey, 2, window, CancellationToken.None));
    }

    /// <summary>A deferred delivery waits until its time and then runs as the same attempt.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Deferred_delivery_waits_and_runs_later_without_spending_an_attempt()
    {
        string? id = null;
        DateTimeOffset runAt = default;
        var host = await StartHostAsync(
            o => o.MaxAttempts = 3,
            beforeStart: async services =>
            {
                var backend = services.GetRequiredService<IJobBackend>();
                var queue = services.GetRequiredService<IJobQueue>();
                id = await queue.EnqueueAsync(new EchoJob("deferred"));
                var delivery = Assert.Single(await ReceiveAsync(backend, id));
                runAt = TimeProvider.System.GetUtcNow().AddMilliseconds(700);
                await backend.DeferAsync(delivery, runAt, CancellationToken.None);
                var waiting = await backend.GetAsync(id, CancellationToken.None);
                Assert.Equal(JobState.Scheduled, waiting!.State);
                Assert.Equal(0, waiting.Attempt);
            });

        var done = await host.WaitForStateAsync(id!, JobState.Succeeded);
        Assert.Equal(1, done.Attempt);
        Assert.Equal(0, done.Redeliveries);
        Assert.True(done.StartedAt >= runAt.AddMilliseconds(-50), $"started at {done.StartedAt:O}, before its deferred time {runAt:O}");
        Assert.Equal(["deferred"], host.Probe.Runs);
    }

    private static async Task<IReadOnlyList<JobDelivery>> ReceiveAsync(IJobBackend backend, string id)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var batch = await backend.ReceiveAsync("default", 10, limit.Token);
            if (batch.Count > 0)
            {
                Assert.All(batch, d => Assert.Equal(id, d.Envelope.Id));
                return batch;
            }

            await Task.Delay(20, limit.Token);
        }
    }

    private static async Task<JobScheduleEntry?> FindScheduleAsync(IJobBackend backend, string name) =>
        (await backend.GetSchedulesAsync(CancellationToken.None)).SingleOrDefault(s => s.Name == name);

    private static async Task<bool> PollAsync(Func<Task<bool>> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!limit.IsCancellationRequested)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(25);
        }

        return false;
    }
}
