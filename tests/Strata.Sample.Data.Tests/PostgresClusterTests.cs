using System.Diagnostics;
using Npgsql;
using Strata.Testing;

namespace Strata.Sample.Data.Tests;

/// <summary>Strata.Testing's <see cref="PostgresCluster"/>: a clear failure without the package, a real server, nothing left behind.</summary>
public sealed class PostgresClusterTests
{
    [Fact]
    public async Task Starting_without_the_server_binaries_fails_saying_to_install_postgresql()
    {
        var empty = Directory.CreateTempSubdirectory("strata-no-postgres-");
        try
        {
            var start = () => PostgresCluster.StartAsync(installRoot: empty.FullName);

            (await start.Should().ThrowAsync<InvalidOperationException>())
                .WithMessage("*PostgreSQL is not installed*apt-get install -y postgresql*");
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_started_cluster_serves_new_databases_on_loopback_and_is_gone_after_dispose()
    {
        var cluster = await PostgresCluster.StartAsync();
        var pid = cluster.ServerProcessId;
        var directory = cluster.Directory;
        try
        {
            var connectionString = await cluster.CreateDatabaseAsync("probe");
            await using (var connection = new NpgsqlConnection(connectionString))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT current_user || ' ' || inet_server_addr()::text || ' ' || current_setting('port')";
                (await command.ExecuteScalarAsync()).Should().Be($"{PostgresCluster.UserName} 127.0.0.1/32 {cluster.Port}");
            }

            NpgsqlConnection.ClearAllPools();
            pid.Should().NotBeNull();
            IsRunning(pid!.Value).Should().BeTrue();
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        (await GoneWithinAsync(pid.Value, TimeSpan.FromSeconds(30))).Should().BeTrue("dispose stops the server");
        Directory.Exists(directory).Should().BeFalse("dispose deletes the cluster's directory");
    }

    /// <summary>Alive: /proc has it and it is not a zombie (the postmaster is not our child: init reaps it a moment later).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task<bool> GoneWithinAsync(int pid, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (IsRunning(pid))
        {
            if (watch.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }
}
