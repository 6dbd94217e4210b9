using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>
/// The shared contract, run against the Redis backend on a real three-master Redis Cluster: every script of a queue
/// (enqueue batches, start, finish, retry, promote, cancel, requeue) must keep its keys in the queue's slot.
/// </summary>
public sealed class JobQueueContract_on_a_three_master_cluster(RedisClusterFixture cluster) : JobBackendContractTests, IClassFixture<RedisClusterFixture>
{
    private readonly string _prefix = RedisFixture.UniquePrefix();

    protected override void UseBackend(JobsBuilder builder)
    {
        builder.Services.AddSingleton(cluster.Connection);
        builder.UseRedis(o =>
        {
            o.KeyPrefix = _prefix;
            o.PollInterval = TimeSpan.FromMilliseconds(500);
        });
    }
}
