using System.Diagnostics;
using StackExchange.Redis;

namespace Strata.Testing.Tests;

public sealed class RedisServerTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Shared_server_round_trips_a_value_through_StackExchange_Redis()
    {
        var key = RedisFixture.UniquePrefix() + "greeting";
        var db = redis.Connection.GetDatabase();

        await db.StringSetAsync(key, "hello", TimeSpan.FromMinutes(1));
        var value = await db.StringGetAsync(key);
        var ttl = await db.KeyTimeToLiveAsync(key);

        value.ToString().Should().Be("hello");
        ttl.Should().NotBeNull().And.BePositive();
    }

    [Fact]
    public async Task Shared_server_is_the_same_instance_for_every_caller()
    {
        var first = await RedisServer.GetSharedAsync();
        var second = await RedisServer.GetSharedAsync();

        second.Should().BeSameAs(first);
        first.Endpoint.Should().Be(redis.Server.Endpoint);
    }

    [Fact]
    public async Task Throwaway_server_can_be_killed_and_restarted_on_the_same_port_with_no_data_kept()
    {
        await using var server = await RedisServer.StartAsync();
        server.Port.Should().NotBe(redis.Server.Port, "a throwaway server never reuses the shared one");
        await using var connection = await server.ConnectAsync();
        var key = RedisFixture.UniquePrefix() + "k";
        await connection.GetDatabase().StringSetAsync(key, "v");

        await server.KillAsync();
        server.IsRunning.Should().BeFalse();
        var whileDown = async () => await connection.GetDatabase().PingAsync();
        await whileDown.Should().ThrowAsync<RedisException>();

        await server.RestartAsync();
        server.IsRunning.Should().BeTrue();
        var afterRestart = await RetryAsync(() => connection.GetDatabase().StringGetAsync(key));
        afterRestart.IsNull.Should().BeTrue("the server runs without persistence");
    }

    [Fact]
    public async Task Server_process_is_killed_once_its_owner_process_dies_without_cleaning_up()
    {
        // A stand-in owner and a real redis-server watched for it: killing the owner with SIGKILL, as a crashed
        // test host dies, must take the server down too (the real owner is the test process itself).
        // The server listens on a socket file only: with no port and no socket, redis-server exits by itself at once
        // ("Configured to not listen anywhere"), and its exit would prove nothing about the watchdog.
        var socket = Path.Combine(Path.GetTempPath(), $"strata-watchdog-{Guid.NewGuid():N}.sock");
        using var owner = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        using var server = Process.Start(new ProcessStartInfo("redis-server", ["--port", "0", "--unixsocket", socket, "--save", "", "--appendonly", "no"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
        })!;
        try
        {
            ChildProcesses.KillWhenOwnerExits(owner.Id, server.Id);
            using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                while (!File.Exists(socket) && !server.HasExited)
                {
                    await Task.Delay(20, ready.Token);   // until the server listens (or fails to start)
                }
            }

            server.HasExited.Should().BeFalse("the server listens on its socket until the watchdog acts");

            owner.Kill();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await server.WaitForExitAsync(deadline.Token);

            server.HasExited.Should().BeTrue("the watchdog kills the server within about a second of the owner's death");
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }

            File.Delete(socket);
        }
    }

    [Fact]
    public async Task Disposed_throwaway_server_stops_its_process_and_removes_its_directory()
    {
        var server = await RedisServer.StartAsync();
        var port = server.Port;
        await server.DisposeAsync();

        server.IsRunning.Should().BeFalse();
        Directory.Exists(server.DataDirectory).Should().BeFalse();
        using var client = new System.Net.Sockets.TcpClient();
        var connect = async () => await client.ConnectAsync("127.0.0.1", port);
        await connect.Should().ThrowAsync<System.Net.Sockets.SocketException>();
    }

    [Fact]
    public async Task Extra_arguments_reach_the_server()
    {
        await using var server = await RedisServer.StartAsync(["--maxmemory", "12mb"]);
        await using var connection = await server.ConnectAsync(o => o.AllowAdmin = true);

        var config = await connection.GetServer(server.Endpoint).ConfigGetAsync("maxmemory");

        config.Should().ContainSingle().Which.Value.Should().Be((12 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Throwaway_server_with_a_password_starts_and_accepts_only_authenticated_clients()
    {
        await using var server = await RedisServer.StartAsync(["--requirepass", "test-only-password"]);

        await using var authenticated = await server.ConnectAsync(o => o.Password = "test-only-password");
        var pong = await authenticated.GetDatabase().PingAsync();
        pong.Should().BePositive();

        await using var anonymous = await server.ConnectAsync();
        var unauthenticated = async () => await anonymous.GetDatabase().StringGetAsync("k");
        await unauthenticated.Should().ThrowAsync<RedisException>();
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (Exception exception) when (exception is RedisException or RedisTimeoutException && attempt < 100)
            {
                await Task.Delay(50);
            }
        }
    }
}
