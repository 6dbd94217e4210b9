using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Strata.Testing;

namespace Strata.Containers.Tests;

/// <summary>
/// The stack's four roles as plain processes on this machine (Debian's redis-server and PostgreSQL, the built sample
/// host as api and worker), measured the way the containers were: start to healthy, and memory after the same walk.
/// </summary>
internal static class PlainRoles
{
    public static async Task MeasureAsync(Report report, IReadOnlyDictionary<string, (double Start, long Memory, long Resident)> containers)
    {
        var clock = Stopwatch.StartNew();
        await using var redis = await RedisServer.StartAsync();
        var redisStart = clock.Elapsed.TotalSeconds;
        clock.Restart();
        await using var postgres = await PostgresCluster.StartAsync();
        var database = await postgres.CreateDatabaseAsync("strata");
        var postgresStart = clock.Elapsed.TotalSeconds;

        var environment = new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Database"] = database,
            ["ConnectionStrings__Redis"] = redis.Endpoint,
        };
        var (api, apiStart) = await StartAsync("api", environment);
        using var apiProcess = api.Process;
        var (worker, workerStart) = await StartAsync("worker", environment);
        using var workerProcess = worker.Process;

        var key = await KeyAsync(environment);
        using var client = new SampleClient(api.Address, key);
        await client.AnalyzeAsync("The containers start fast and the stack is calm.");
        await client.WaitForJobAsync(await client.SubmitJobAsync("The queue is reliable. Workers never lose a job."), "succeeded");

        var plain = new Dictionary<string, (double Start, long Memory)>
        {
            ["api"] = (apiStart, api.Process.ResidentBytes),
            ["worker"] = (workerStart, worker.Process.ResidentBytes),
            ["redis"] = (redisStart, PlainProcess.Resident(RedisPid(redis.Port))),
            ["postgres"] = (postgresStart, PlainProcess.Resident(postgres.ServerProcessId!.Value)),
        };

        report.Line("role      start to healthy: container / process    RSS: container / process (ratio)    podman stats");
        foreach (var role in new[] { "api", "worker", "redis", "postgres" })
        {
            var (cStart, cMemory, cResident) = containers.GetValueOrDefault(role);
            var (pStart, pResident) = plain[role];
            report.Line(string.Create(CultureInfo.InvariantCulture,
                $"{role,-9} {cStart,6:0.0} s / {pStart,4:0.0} s                 {cResident / 1e6,6:0.0} MB / {pResident / 1e6,6:0.0} MB ({(double)cResident / pResident,4:0.00}x)   {cMemory / 1e6,6:0.0} MB"));
        }

        foreach (var image in new[] { "strata-sample:local", "strata-aspnet:10.0", "strata-dotnet-sdk:10.0", "strata-redis:7", "strata-postgres:15", "strata-debian:bookworm" })
        {
            var size = long.Parse((await Command.PodmanAsync("image", "inspect", "--format", "{{.Size}}", "localhost/" + image)).Output, CultureInfo.InvariantCulture);
            report.Line(string.Create(CultureInfo.InvariantCulture, $"image {image,-24} {size / 1e6,6:0} MB"));
        }
    }

    private static async Task<((PlainProcess Process, Uri Address), double Start)> StartAsync(string role, Dictionary<string, string> environment)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var clock = Stopwatch.StartNew();
        var process = new PlainProcess(["--role", role], new Dictionary<string, string>(environment) { ["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/') });
        await SampleClient.WaitReadyAsync(address, () => process.IsRunning);
        return ((process, address), clock.Elapsed.TotalSeconds);
    }

    private static async Task<string> KeyAsync(Dictionary<string, string> environment)
    {
        var created = await Command.RequireAsync("dotnet", [Repository.SampleDll, "keys", "create", "--name", "plain", "--scopes", "analyze,jobs:write"], TimeSpan.FromMinutes(2), environment);
        return created.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("sk_", StringComparison.Ordinal));
    }

    /// <summary>redis-server names itself "&lt;path&gt;/redis-server host:port" in its command line.</summary>
    private static int RedisPid(int port) => Directory.GetDirectories("/proc")
        .Select(Path.GetFileName)
        .Where(d => int.TryParse(d, out _))
        .Select(d => int.Parse(d!, CultureInfo.InvariantCulture))
        .First(pid =>
        {
            try
            {
                var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
                return commandLine.Contains("redis-server", StringComparison.Ordinal) && commandLine.Contains($":{port}", StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false;
            }
        });

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
