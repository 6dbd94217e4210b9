using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>
/// Queues whose keys land on each of the three masters of a real Redis Cluster, used together by one host: the
/// queue's hash tag must keep every key of each script call (and the status hashes a script names itself) in one slot.
/// </summary>
public sealed class ThreeMasterClusterTests(RedisClusterFixture cluster) : JobBackendTestBase, IClassFixture<RedisClusterFixture>
{
    private readonly string _prefix = RedisFixture.UniquePrefix();
    private TimeSpan? _leaseTime;

    private IDatabase Db => cluster.Connection.GetDatabase();

    protected override void UseBackend(JobsBuilder builder)
    {
        builder.Services.AddSingleton(cluster.Connection);
        builder.UseRedis(o =>
        {
            o.KeyPrefix = _prefix;
            o.PollInterval = TimeSpan.FromMilliseconds(300);
            if (_leaseTime is { } lease)
            {
                o.LeaseTime = lease;
            }
        });
    }

    [Fact]
    public async Task Batches_delays_duplicates_retries_dead_letters_and_cancels_work_for_queues_on_every_master_of_a_three_master_cluster()
    {
        var queues = QueuesOnEveryMaster();
        var host = await StartHostAsync(o =>
        {
            o.MaxAttempts = 2;
            o.DefaultQueue = queues[0];
            foreach (var queue in queues)
            {
                o.AddQueue(queue);
            }
        });

        var expected = new List<(string Id, JobState State)>();
        foreach (var queue in queues)
        {
            // 40 enqueues in flight at once go out in batches (one script, many keys); 20 of them share 10 keys.
            var plain = Enumerable.Range(0, 20).Select(i => host.Queue.EnqueueAsync(new EchoJob($"{queue}-p{i}"), new JobOptions { Queue = queue }).AsTask());
            var keyed = Enumerable.Range(0, 20).Select(i => host.Queue.EnqueueAsync(new EchoJob($"{queue}-k{i}"), new JobOptions { Queue = queue, IdempotencyKey = $"k{i % 10}" }).AsTask());
            var plainIds = await Task.WhenAll(plain);
            var keyedIds = await Task.WhenAll(keyed);
            plainIds.Should().OnlyHaveUniqueItems();
            keyedIds.Distinct().Should().HaveCount(10, $"queue {queue}: ten keys, each given twice");
            expected.AddRange(plainIds.Concat(keyedIds.Distinct()).Select(id => (id, JobState.Succeeded)));

            expected.Add((await host.Queue.EnqueueAsync(new EchoJob($"{queue}-later"), new JobOptions { Queue = queue, Delay = TimeSpan.FromMilliseconds(300) }), JobState.Succeeded));
            expected.Add((await host.Queue.EnqueueAsync(new FlakyJob($"{queue}-flaky", FailTimes: 1), new JobOptions { Queue = queue }), JobState.Succeeded));
            expected.Add((await host.Queue.EnqueueAsync(new RejectedJob($"{queue}-rejected"), new JobOptions { Queue = queue }), JobState.Dead));
            var cancelled = await host.Queue.EnqueueAsync(new EchoJob($"{queue}-never"), new JobOptions { Queue = queue, Delay = TimeSpan.FromHours(1) });
            (await host.Queue.CancelAsync(cancelled)).Should().BeTrue();
            expected.Add((cancelled, JobState.Cancelled));
        }

        foreach (var (id, state) in expected)
        {
            await host.WaitForStateAsync(id, state);
        }

        foreach (var queue in queues)
        {
            host.Probe.Attempts[$"{queue}-flaky"].Should().Be(2, "the first attempt failed and was retried");
        }

        var dead = expected.Where(e => e.State == JobState.Dead).Select(e => e.Id).ToList();
        dead.Should().HaveCount(queues.Count);
        foreach (var id in dead)
        {
            var first = (await host.Store.GetAsync(id))!;
            first.Error.Should().EndWith("has an unsupported format.");
            (await host.Queue.RequeueAsync(id)).Should().BeTrue();
            await host.WaitForAsync(id, info => info.State == JobState.Dead && info.CompletedAt > first.CompletedAt, "dead again after a requeue");
        }

        host.Probe.Runs.Should().NotContain(r => r.EndsWith("-never", StringComparison.Ordinal));

        // As the masters themselves report it: each queue's keys are on one master, and the three queues on three.
        var byNode = await cluster.Cluster.KeysByNodeAsync(_prefix + "*");
        foreach (var queue in queues)
        {
            byNode.Count(node => node.Value.Any(k => k.Contains("{" + queue + "}", StringComparison.Ordinal)))
                .Should().Be(1, $"every key of queue {queue} carries its hash tag");
        }

        byNode.Values.Should().OnlyContain(keys => keys.Count > 0, "the queues were chosen to land on every master");
    }

    [Fact]
    public async Task Entries_of_a_vanished_worker_are_reclaimed_for_queues_on_every_master_of_a_three_master_cluster()
    {
        // A lease well above a heartbeat stall on a loaded machine, so the worker never reclaims its own entry.
        _leaseTime = TimeSpan.FromMilliseconds(1500);
        var queues = QueuesOnEveryMaster();
        void Configure(JobsOptions o)
        {
            o.DefaultQueue = queues[0];
            foreach (var queue in queues)
            {
                o.AddQueue(queue);
            }
        }

        var producer = await StartHostAsync(o =>
        {
            Configure(o);
            o.RunWorkers = false;
        });
        var ids = new List<string>();
        foreach (var queue in queues)
        {
            ids.Add(await producer.Queue.EnqueueAsync(new EchoJob($"{queue}-orphan"), new JobOptions { Queue = queue }));
            var stream = $"{_prefix}{{{queue}}}:stream";
            await Db.StreamCreateConsumerGroupAsync(stream, "strata-workers", "0");
            var stolen = await Db.StreamReadGroupAsync(stream, "strata-workers", "crashed-worker", ">", 10);
            stolen.Should().ContainSingle($"the vanished worker took queue {queue}'s job and will never acknowledge it");
        }

        var worker = await StartHostAsync(Configure);
        foreach (var id in ids)
        {
            var info = await worker.WaitForStateAsync(id, JobState.Succeeded);
            info.Redeliveries.Should().Be(1);
            info.Attempt.Should().Be(1, "a crash redelivery is not a failed attempt");
        }
    }

    /// <summary>Three queue names whose hash tags put their keys on three different masters.</summary>
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
