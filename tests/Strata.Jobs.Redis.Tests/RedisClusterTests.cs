using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>
/// The backend on a Redis Cluster (one node holding every slot): Redis refuses a script or command
/// whose keys are in different slots (CROSSSLOT), so this shows every multi-key step keeps to one slot.
/// </summary>
public sealed class RedisClusterTests : JobBackendTestBase, IAsyncLifetime
{
    private RedisServer? _server;
    private ConnectionMultiplexer? _connection;

    protected override void UseBackend(JobsBuilder builder)
    {
        builder.Services.AddSingleton<IConnectionMultiplexer>(_connection!);
        builder.UseRedis(o => o.PollInterval = TimeSpan.FromMilliseconds(300));
    }

    async Task IAsyncLifetime.InitializeAsync()
    {
        _server = await RedisServer.StartAsync(["--cluster-enabled", "yes"]);
        await using (var admin = await _server.ConnectAsync(o => o.AllowAdmin = true))
        {
            var node = admin.GetServer(admin.GetEndPoints()[0]);
            await node.ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", 0, 16383);
            await WaitUntilAsync(async () => ((string?)await node.ExecuteAsync("CLUSTER", "INFO"))!.Contains("cluster_state:ok", StringComparison.Ordinal));
        }

        _connection = await _server.ConnectAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Every_operation_works_on_a_cluster_without_CROSSSLOT_errors()
    {
        var host = await StartHostAsync(o =>
        {
            o.MaxAttempts = 2;
            o.AddQueue("default").AddQueue("other", weight: 2);
        });
        _connection!.GetServer(_connection.GetEndPoints()[0]).ServerType.Should().Be(ServerType.Cluster);

        var plain = await host.Queue.EnqueueAsync(new EchoJob("a"), new JobOptions { Queue = "other", IdempotencyKey = "k" });
        var duplicate = await host.Queue.EnqueueAsync(new EchoJob("a"), new JobOptions { Queue = "other", IdempotencyKey = "k" });
        var delayed = await host.Queue.EnqueueAsync(new EchoJob("b"), new JobOptions { Delay = TimeSpan.FromMilliseconds(200) });
        var retried = await host.Queue.EnqueueAsync(new FlakyJob("f", FailTimes: 1));
        var dead = await host.Queue.EnqueueAsync(new RejectedJob("r"));
        var cancelled = await host.Queue.EnqueueAsync(new BlockingJob("c"));

        duplicate.Should().Be(plain);
        await host.WaitForStateAsync(plain, JobState.Succeeded);
        await host.WaitForStateAsync(delayed, JobState.Succeeded);
        (await host.WaitForStateAsync(retried, JobState.Succeeded)).Attempt.Should().Be(2);
        await host.WaitForStateAsync(dead, JobState.Dead);
        (await host.Queue.RequeueAsync(dead)).Should().BeTrue();
        await host.WaitForStateAsync(dead, JobState.Dead);
        await host.Probe.WaitStartedAsync("c");
        await host.WaitForStateAsync(cancelled, JobState.Running);
        (await host.Queue.CancelAsync(cancelled)).Should().BeTrue();
        await host.WaitForStateAsync(cancelled, JobState.Cancelled);
    }
}
