using StackExchange.Redis;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>Requeueing and forgetting jobs in bulk and one by one.</summary>
public sealed class OperationsBulkTests(RedisFixture redis) : OperationsTestBase(redis), IClassFixture<RedisFixture>
{
    [Fact]
    public async Task RequeueMany_requeues_every_matching_dead_job_in_batches_and_a_repeat_touches_none()
    {
        // More than one script call's batch (500) of dead jobs, made by a worker host that then stops.
        var worker = await StartHostAsync(o => o.Concurrency = 32);
        var ids = new List<string>();
        for (var i = 0; i < 620; i++)
        {
            ids.Add(await worker.Queue.EnqueueAsync(new RejectedJob($"bad{i}"), new JobOptions { Owner = i < 600 ? "alice" : "bob" }));
        }

        foreach (var id in ids)
        {
            await worker.WaitForStateAsync(id, JobState.Dead);
        }

        await worker.StopAsync();
        var admin = await StartProducerAsync();

        var requeued = await admin.Backend.RequeueManyAsync(new JobFilter { Owner = "alice" }, default);
        var again = await admin.Backend.RequeueManyAsync(new JobFilter { Owner = "alice" }, default);

        requeued.Should().Be(600);
        again.Should().Be(0, "a requeued job is no longer dead");
        var info = await admin.Store.GetAsync(ids[0]);
        info!.State.Should().Be(JobState.Queued);
        (await Db.StreamLengthAsync(Prefix + "{default}:stream")).Should().Be(600, "each requeued job has one new entry");
        (await admin.Backend.CountAsync(default)).Should().BeEquivalentTo(new[]
        {
            new JobStateCount("default", JobState.Queued, 600),
            new JobStateCount("default", JobState.Dead, 20),
        });

        // The requeued jobs run again, with a fresh first attempt.
        var rerun = await StartHostAsync(o => o.Concurrency = 32);
        var dead = await rerun.WaitForStateAsync(ids[0], JobState.Dead);
        dead.Attempt.Should().Be(1);
    }

    [Fact]
    public async Task RequeueMany_leaves_cancelled_and_waiting_jobs_alone()
    {
        var host = await StartProducerAsync();
        var cancelled = await host.Queue.EnqueueAsync(new EchoJob("c"), new JobOptions { Delay = TimeSpan.FromHours(1) });
        var waiting = await host.Queue.EnqueueAsync(new EchoJob("w"), new JobOptions { Delay = TimeSpan.FromHours(1) });
        (await host.Queue.CancelAsync(cancelled)).Should().BeTrue();

        (await host.Backend.RequeueManyAsync(new JobFilter(), default)).Should().Be(0);
        (await host.Backend.RequeueAsync(cancelled, default)).Should().BeFalse("only dead jobs are requeued");

        (await host.Store.GetAsync(cancelled))!.State.Should().Be(JobState.Cancelled);
        (await host.Store.GetAsync(waiting))!.State.Should().Be(JobState.Scheduled);
        (await Db.StreamLengthAsync(Prefix + "{default}:stream")).Should().Be(0, "nothing was added to the work stream");
    }

    [Fact]
    public async Task DeleteMany_forgets_finished_jobs_that_match_and_frees_their_idempotency_keys()
    {
        var host = await StartHostAsync();
        var mine = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            mine.Add(await host.Queue.EnqueueAsync(new EchoJob($"m{i}"), new JobOptions { Owner = "alice", IdempotencyKey = $"k{i}" }));
        }

        var other = await host.Queue.EnqueueAsync(new EchoJob("o"), new JobOptions { Owner = "bob" });
        foreach (var id in mine.Append(other))
        {
            await host.WaitForStateAsync(id, JobState.Succeeded);
        }

        var waiting = await host.Queue.EnqueueAsync(new EchoJob("w"), new JobOptions { Owner = "alice", Delay = TimeSpan.FromHours(1) });

        var deleted = await host.Backend.DeleteManyAsync(new JobFilter { Owner = "alice" }, default);
        var again = await host.Backend.DeleteManyAsync(new JobFilter { Owner = "alice" }, default);

        deleted.Should().Be(4, "only finished jobs are deleted");
        again.Should().Be(0);
        (await host.Store.GetAsync(mine[0])).Should().BeNull();
        (await host.Store.GetAsync(other)).Should().NotBeNull();
        (await host.Store.GetAsync(waiting))!.State.Should().Be(JobState.Scheduled);
        (await SearchAllAsync(host.Backend, new JobFilter { Owner = "alice" })).Select(j => j.Id).Should().Equal(waiting);
        var fresh = await host.Queue.EnqueueAsync(new EchoJob("m0 again"), new JobOptions { IdempotencyKey = "k0" });
        fresh.Should().NotBe(mine[0], "the deleted job's idempotency key is free");
    }

    [Fact]
    public async Task DeleteMany_with_finished_before_purges_only_older_jobs()
    {
        var host = await StartHostAsync();
        var old = await host.Queue.EnqueueAsync(new EchoJob("old"));
        await host.WaitForStateAsync(old, JobState.Succeeded);
        await Task.Delay(20);
        var cut = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        var recent = await host.Queue.EnqueueAsync(new RejectedJob("recent"));
        await host.WaitForStateAsync(recent, JobState.Dead);

        (await host.Backend.DeleteManyAsync(new JobFilter { FinishedBefore = cut }, default)).Should().Be(1);

        (await host.Store.GetAsync(old)).Should().BeNull();
        (await host.Store.GetAsync(recent)).Should().NotBeNull();
    }

    [Fact]
    public async Task Delete_forgets_a_finished_job_frees_its_key_and_refuses_an_unfinished_one()
    {
        var host = await StartHostAsync();
        var done = await host.Queue.EnqueueAsync(new EchoJob("done"), new JobOptions { IdempotencyKey = "order-1" });
        await host.WaitForStateAsync(done, JobState.Succeeded);
        var waiting = await host.Queue.EnqueueAsync(new EchoJob("w"), new JobOptions { Delay = TimeSpan.FromHours(1) });

        (await host.Backend.DeleteAsync(waiting, default)).Should().BeFalse("the job has not finished");
        (await host.Backend.DeleteAsync(done, default)).Should().BeTrue();
        (await host.Backend.DeleteAsync(done, default)).Should().BeFalse("it is gone");
        (await host.Backend.DeleteAsync("default.0123456789abcdef0123456789abcdef", default)).Should().BeFalse();

        (await host.Store.GetAsync(done)).Should().BeNull();
        ((string?)await Db.StringGetAsync(Prefix + "{default}:idem:order-1")).Should().BeNull();
        (await host.Queue.EnqueueAsync(new EchoJob("again"), new JobOptions { IdempotencyKey = "order-1" })).Should().NotBe(done);
        (await IndexMembersAsync()).Should().NotContain(m => m.Contains(done, StringComparison.Ordinal), "no index keeps the deleted job");
    }

    [Fact]
    public async Task A_deleted_job_that_was_cancelled_while_it_waited_never_runs()
    {
        var producer = await StartProducerAsync();
        var id = await producer.Queue.EnqueueAsync(new EchoJob("cancelled"), new JobOptions { Delay = TimeSpan.FromMilliseconds(200) });
        (await producer.Queue.CancelAsync(id)).Should().BeTrue();

        (await producer.Backend.DeleteAsync(id, default)).Should().BeTrue();
        (await producer.Store.GetAsync(id)).Should().BeNull("a deleted job is unknown");

        // Promotion takes the job out of the delayed set: it would append it to the work stream, were it not dropped.
        var worker = await StartHostAsync();
        await WaitUntilAsync(async () => await Db.SortedSetLengthAsync(Prefix + "{default}:delayed") == 0);
        (await Db.StreamLengthAsync(Prefix + "{default}:stream")).Should().Be(0, "the cancelled job was dropped, not queued");
        worker.Probe.Runs.Should().BeEmpty();
        (await worker.Backend.DeleteAsync(id, default)).Should().BeFalse();
    }

    private async Task<List<string>> IndexMembersAsync()
    {
        var members = new List<string>();
        foreach (var key in await IndexKeysAsync("default"))
        {
            if (await Db.KeyTypeAsync(key) == RedisType.SortedSet)
            {
                members.AddRange((await Db.SortedSetRangeByRankAsync(key)).Select(m => m.ToString()));
            }
        }

        return members;
    }
}
