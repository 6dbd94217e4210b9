using StackExchange.Redis;

namespace Strata.Testing.Tests;

public sealed class RedisClusterTests(RedisClusterFixture fixture) : IClassFixture<RedisClusterFixture>
{
    [Fact]
    public async Task Three_master_cluster_splits_every_slot_between_three_masters()
    {
        fixture.Cluster.Nodes.Should().HaveCount(3);
        fixture.Cluster.Nodes.Select(n => n.Port).Should().OnlyHaveUniqueItems();

        foreach (var node in fixture.Cluster.Nodes)
        {
            var server = fixture.Connection.GetServer(node.Endpoint);
            server.ServerType.Should().Be(ServerType.Cluster);
            server.IsReplica.Should().BeFalse();
        }

        // Each node's own view: every slot is served, by three masters that split them.
        await using var admin = await fixture.Cluster.ConnectAsync(o => o.AllowAdmin = true);
        var configuration = (await admin.GetServer(fixture.Cluster.Nodes[0].Endpoint).ClusterNodesAsync())!;
        var masters = configuration.Nodes.Where(n => !n.IsReplica).ToList();
        masters.Should().HaveCount(3);
        masters.Should().OnlyContain(n => n.Slots.Count > 0, "every master owns a share of the slots");
        masters.Sum(n => n.Slots.Sum(range => range.To - range.From + 1)).Should().Be(RedisCluster.SlotCount);
    }

    [Fact]
    public async Task Keys_written_to_many_slots_land_on_every_master()
    {
        var prefix = RedisFixture.UniquePrefix();
        var db = fixture.Connection.GetDatabase();
        for (var i = 0; i < 60; i++)
        {
            await db.StringSetAsync($"{prefix}{i}", i, TimeSpan.FromMinutes(1));
        }

        var byNode = await fixture.Cluster.KeysByNodeAsync(prefix + "*");

        byNode.Should().HaveCount(3);
        byNode.Values.Should().OnlyContain(keys => keys.Count > 0, "60 keys over 16384 slots split three ways reach every master");
        byNode.Values.Sum(keys => keys.Count).Should().Be(60, "each key is on exactly one master");
    }

    [Fact]
    public async Task A_command_over_keys_of_two_masters_is_refused_with_CROSSSLOT_and_a_hash_tag_makes_it_work()
    {
        var prefix = RedisFixture.UniquePrefix();
        var (first, second) = KeysOnTwoNodes(prefix);
        var db = fixture.Connection.GetDatabase();
        await db.StringSetAsync(first, "1", TimeSpan.FromMinutes(1));

        // Sent as plain arguments to one node, so the server decides, not SE.Redis's own slot check.
        var node = fixture.Connection.GetServer(fixture.Connection.GetServer(fixture.Cluster.Nodes[0].Endpoint).ClusterConfiguration!.GetBySlot(first)!.EndPoint!);
        var crossSlot = async () => await node.ExecuteAsync("MGET", (string)first!, (string)second!);
        (await crossSlot.Should().ThrowAsync<RedisServerException>()).Which.Message.Should().StartWith("CROSSSLOT");

        // The same command through SE.Redis never reaches a node: it refuses keys of two slots itself.
        var client = async () => await db.StringGetAsync([first, second]);
        (await client.Should().ThrowAsync<RedisCommandException>()).Which.Message.Should().StartWith("Multi-key operations must involve a single slot");

        var tagged = await db.StringSetAsync([new($"{prefix}{{t}}a", "1"), new($"{prefix}{{t}}b", "2")]);
        tagged.Should().BeTrue();
        var values = await db.StringGetAsync([$"{prefix}{{t}}a", $"{prefix}{{t}}b"]);
        values.Select(v => (string?)v).Should().Equal("1", "2");
        await db.KeyDeleteAsync([$"{prefix}{{t}}a", $"{prefix}{{t}}b"]);
        await db.KeyDeleteAsync(first);
    }

    [Fact]
    public async Task Shared_cluster_is_the_same_instance_for_every_caller()
    {
        var first = await RedisCluster.GetSharedAsync();
        var second = await RedisCluster.GetSharedAsync();

        second.Should().BeSameAs(first);
        first.Should().BeSameAs(fixture.Cluster);
        fixture.Cluster.ConnectionString.Should().Contain(string.Join(",", first.Nodes.Select(n => n.Endpoint))).And.Contain("abortConnect=false");
    }

    [Fact]
    public void Missing_redis_cli_names_the_package_to_install()
    {
        var empty = Directory.CreateTempSubdirectory("strata-no-redis-cli-").FullName;
        try
        {
            var act = () => RedisCluster.RequireRedisCli(empty);

            act.Should().Throw<InvalidOperationException>().WithMessage("*redis-cli was not found*apt-get install -y redis-server*redis-tools*");
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public async Task Cluster_creation_that_fails_reports_the_tool_output()
    {
        // Three plain servers: redis-cli refuses to make a cluster of nodes started without --cluster-enabled.
        await using var a = await RedisServer.StartAsync();
        await using var b = await RedisServer.StartAsync();
        await using var c = await RedisServer.StartAsync();
        var redisCli = RedisCluster.RequireRedisCli(Environment.GetEnvironmentVariable("PATH"));

        var act = () => RedisCluster.CreateAsync(redisCli, [a.Endpoint, b.Endpoint, c.Endpoint], CancellationToken.None);

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should()
            .StartWith("'redis-cli --cluster create' failed").And.Contain("is not configured as a cluster node");
    }

    [Fact]
    public async Task Disposed_cluster_leaves_no_server_running()
    {
        var cluster = await RedisCluster.StartAsync();
        await using (var connection = await cluster.ConnectAsync())
        {
            await connection.GetDatabase().StringSetAsync(RedisFixture.UniquePrefix() + "k", "v");
        }

        await cluster.DisposeAsync();

        cluster.Nodes.Should().OnlyContain(n => !n.IsRunning);
    }

    /// <summary>Two keys under <paramref name="prefix"/> that the cluster puts on different masters.</summary>
    private (RedisKey First, RedisKey Second) KeysOnTwoNodes(string prefix)
    {
        var configuration = fixture.Connection.GetServer(fixture.Cluster.Nodes[0].Endpoint).ClusterConfiguration!;
        RedisKey first = prefix + "0";
        var firstNode = configuration.GetBySlot(first)!.EndPoint;
        for (var i = 1; i < 1000; i++)
        {
            RedisKey candidate = prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!Equals(configuration.GetBySlot(candidate)!.EndPoint, firstNode))
            {
                return (first, candidate);
            }
        }

        throw new InvalidOperationException("No two keys on different masters: the cluster is not split.");
    }
}
