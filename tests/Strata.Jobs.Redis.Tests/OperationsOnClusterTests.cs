using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>
/// Search, counts and bulk control over queues whose slots sit on each master of a real three-master Redis Cluster:
/// every script keeps its keys (indexes included) in the queue's slot, and a search merges the queues' pages.
/// </summary>
public sealed class OperationsOnClusterTests(RedisClusterFixture cluster) : JobBackendTestBase, IClassFixture<RedisClusterFixture>
{
    private readonly string _prefix = RedisFixture.UniquePrefix();

    protected override void UseBackend(JobsBuilder builder)
    {
        builder.Services.AddSingleton(cluster.Connection);
        builder.UseRedis(o =>
        {
            o.KeyPrefix = _prefix;
            o.PollInterval = TimeSpan.FromMilliseconds(300);
        });
    }

    [Fact]
    public async Task Search_counts_and_bulk_work_across_queues_on_every_master()
    {
        var queues = QueuesOnEveryMaster();
        var host = await StartHostAsync(o =>
        {
            o.DefaultQueue = queues[0];
            foreach (var queue in queues)
            {
                o.AddQueue(queue);
            }
        });
        var ok = new List<string>();
        var dead = new List<string>();
        foreach (var queue in queues)
        {
            for (var i = 0; i < 3; i++)
            {
                ok.Add(await host.Queue.EnqueueAsync(new EchoJob($"{queue}-{i}"), new JobOptions { Queue = queue, Owner = "alice" }));
            }

            dead.Add(await host.Queue.EnqueueAsync(new RejectedJob(queue), new JobOptions { Queue = queue, Owner = "bob" }));
        }

        foreach (var id in ok)
        {
            await host.WaitForStateAsync(id, JobState.Succeeded);
        }

        foreach (var id in dead)
        {
            await host.WaitForStateAsync(id, JobState.Dead);
        }

        var backend = host.Backend;
        var seen = new List<JobInfo>();
        string? cursor = null;
        do
        {
            var page = await backend.SearchAsync(new JobFilter(), cursor, 5, default);
            seen.AddRange(page.Jobs);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        seen.Select(j => j.Id).Should().BeEquivalentTo(ok.Concat(dead)).And.OnlyHaveUniqueItems();
        seen.Should().BeInDescendingOrder(j => j.CreatedAt);
        (await backend.SearchAsync(new JobFilter { Owner = "bob" }, null, 50, default)).Jobs.Select(j => j.Id).Should().BeEquivalentTo(dead);
        (await backend.CountAsync(default)).Should().BeEquivalentTo(queues.SelectMany(q => new[]
        {
            new JobStateCount(q, JobState.Succeeded, 3),
            new JobStateCount(q, JobState.Dead, 1),
        }));

        (await backend.DeleteManyAsync(new JobFilter { Owner = "alice" }, default)).Should().Be(9);
        (await backend.RequeueManyAsync(new JobFilter(), default)).Should().Be(3);
        foreach (var id in dead)
        {
            (await host.WaitForStateAsync(id, JobState.Dead)).Attempt.Should().Be(1);
        }

        (await backend.SearchAsync(new JobFilter(), null, 50, default)).Jobs.Select(j => j.Id).Should().BeEquivalentTo(dead);
    }

    [Fact]
    public async Task Pause_schedules_slots_and_permits_work_on_a_cluster()
    {
        var backend = (await StartHostAsync(o => o.RunWorkers = false)).Backend;

        await backend.SetQueuePausedAsync("default", true, default);
        (await backend.GetPausedQueuesAsync(default)).Should().Equal("default");
        (await backend.SaveScheduleAsync("nightly", "{}", 0, default)).Should().BeTrue();
        (await backend.SaveScheduleAsync("nightly", "{}", 0, default)).Should().BeFalse();
        (await backend.TryAcquireSlotAsync("queue:default", 1, "a", TimeSpan.FromMinutes(1), default)).Should().BeTrue();
        (await backend.TryAcquireSlotAsync("queue:default", 1, "b", TimeSpan.FromMinutes(1), default)).Should().BeFalse();
        (await backend.TryTakePermitAsync("limit:x", 1, TimeSpan.FromMinutes(1), default)).Should().Be(TimeSpan.Zero);
        (await backend.TryTakePermitAsync("limit:x", 1, TimeSpan.FromMinutes(1), default)).Should().BePositive();
    }

    private List<string> QueuesOnEveryMaster()
    {
        var configuration = cluster.Connection.GetServer(cluster.Cluster.Nodes[0].Endpoint).ClusterConfiguration!;
        var byMaster = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; byMaster.Count < 3; i++)
        {
            i.Should().BeLessThan(1000, "the slots are split between three masters");
            var queue = $"q{i}";
            byMaster.TryAdd(configuration.GetBySlot((RedisKey)$"x{{{queue}}}")!.EndPoint!.ToString()!, queue);
        }

        return [.. byMaster.Values];
    }
}
