using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Strata.Containers.Tests;

/// <summary>
/// The sample's Dockerfile and compose file, built and run here with podman (build/containers.sh makes the images from
/// Debian's packages and this machine's .NET; build/compose.sh runs compose.yaml): a walk through the api container,
/// a worker killed mid-job, and a stop that leaves nothing behind. Then the same roles as plain processes, for the
/// figures in samples/README.md. Where podman cannot work, the test fails with the reason build/containers.sh gives.
/// </summary>
public sealed partial class ComposeStackTests(ITestOutputHelper output)
{
    private const string Project = "strata-sample";
    private static readonly string[] Services = ["api", "worker", "redis", "postgres"];

    [Fact]
    public async Task The_stack_walks_end_to_end_survives_a_killed_worker_and_stops_leaving_nothing()
    {
        var report = new Report(output, "container-test.txt");
        var total = Stopwatch.StartNew();

        var images = await Command.RunAsync("bash", [Repository.Script("containers.sh")], TimeSpan.FromMinutes(20));
        images.ExitCode.Should().Be(0, $"build/containers.sh makes the images the stack runs on. It said:\n{images.Output}");
        report.Step("base, SDK, runtime, Redis and PostgreSQL images (build/containers.sh)", images.Elapsed);

        var port = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["API_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["STRATA_COMPOSE_OVERRIDE"] = WriteOverride(),
        };
        await Command.RunAsync("bash", [Repository.Script("compose.sh"), "down"], TimeSpan.FromMinutes(2), environment); // a crashed run's leftovers
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var containerFigures = new Dictionary<string, (double Start, long Memory, long Resident)>();
        Exception? walkFailure = null;
        try
        {
            var up = await Command.RunAsync("bash", [Repository.Script("compose.sh"), "up"], TimeSpan.FromMinutes(20), environment);
            up.ExitCode.Should().Be(0, $"build/compose.sh up builds the sample image and starts the stack healthy:\n{up.Output}");
            report.Step("sample image (samples/Dockerfile, cached layers) and the stack up, every service healthy", up.Elapsed);
            foreach (Match healthy in HealthyLine().Matches(up.Output))
            {
                report.Line($"          {healthy.Value}");
                containerFigures[healthy.Groups[1].Value] = (double.Parse(healthy.Groups[2].Value, CultureInfo.InvariantCulture), 0, 0);
            }

            await WalkAsync(new Uri($"http://127.0.0.1:{port}"), report, containerFigures);
        }
        catch (Exception exception)
        {
            walkFailure = exception;
        }
        finally
        {
            var logs = await Command.RunAsync("bash", ["-c", $"for c in {string.Join(' ', Services.Select(Name))}; do echo \"== $c\"; podman logs --tail 40 $c; done"], TimeSpan.FromMinutes(1));
            File.WriteAllText(Path.Combine(Repository.Root, "artifacts", "containers", "container-test-logs.txt"), logs.Output);
        }

        var down = await Command.RunAsync("bash", [Repository.Script("compose.sh"), "down"], TimeSpan.FromMinutes(3), environment);
        report.Step("stack down (compose.sh down)", down.Elapsed);
        if (walkFailure is not null)
        {
            throw new InvalidOperationException($"The walk through the stack failed (container logs: artifacts/containers/container-test-logs.txt): {walkFailure.Message}", walkFailure);
        }

        down.ExitCode.Should().Be(0, down.Output);
        await NothingOfTheStackRemainsAsync(since);
        report.Step("containers: the whole run", total.Elapsed);

        await PlainRoles.MeasureAsync(report, containerFigures);
        report.Step("the whole test", total.Elapsed);
    }

    private static async Task WalkAsync(Uri api, Report report, Dictionary<string, (double Start, long Memory, long Resident)> figures)
    {
        var clock = Stopwatch.StartNew();
        (await Command.PodmanAsync("inspect", "--format", "{{.Config.User}}", Name("api"))).Output.Should().Be("1654", "the image runs as the non-root user app ($APP_UID)");
        (await Command.PodmanAsync("exec", Name("api"), "id", "-un")).Output.Should().Be("app");
        (await Command.RunAsync("podman", ["healthcheck", "run", Name("api")], TimeSpan.FromMinutes(1))).ExitCode.Should().Be(0, "the image's health check passes");

        var created = await Command.PodmanAsync("exec", Name("api"), "dotnet", "Strata.Sample.Api.dll", "keys", "create", "--name", "container-test", "--scopes", "analyze,jobs:write");
        var key = created.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("sk_", StringComparison.Ordinal));
        using var client = new SampleClient(api, key);

        var analysis = await client.AnalyzeAsync("The containers start fast and the stack is calm.");
        analysis.GetProperty("sentiment").GetString().Should().NotBeNullOrEmpty();

        var job = await client.SubmitJobAsync("The queue is reliable. Workers never lose a job.");
        var done = await client.WaitForJobAsync(job, "succeeded");
        var analysisId = done.GetProperty("result").GetProperty("analysisId").GetString();
        (await PsqlAsync($"SELECT \"Id\" FROM \"Analyses\" WHERE \"JobId\" = '{job}'")).Should().Be(analysisId, "the job's analysis is a row in PostgreSQL");
        report.Step("walk: non-root user, health check, CLI key, analyze, job succeeded, its row in PostgreSQL", clock.Elapsed);

        var stats = await Command.PodmanAsync("stats", "--no-stream", "--format", "{{.Name}}|{{.MemUsage}}");
        foreach (var line in stats.Output.Split('\n').Where(l => l.StartsWith(Project + "_", StringComparison.Ordinal)))
        {
            var parts = line.Split('|');
            var service = parts[0][(Project.Length + 1)..^2];
            // The same measure as for the plain processes too: the resident memory of the container's processes, seen from the host.
            var main = int.Parse((await Command.PodmanAsync("inspect", "--format", "{{.State.Pid}}", parts[0])).Output, CultureInfo.InvariantCulture);
            figures[service] = (figures.GetValueOrDefault(service).Start, ParseSize(parts[1].Split('/')[0]), PlainProcess.Resident(main));
        }

        clock.Restart();
        var slow = await client.SubmitJobAsync("A worker dies while it analyzes this. Another run finishes it.");
        var running = await client.WaitForJobAsync(slow, "running");
        var pid = (await Command.PodmanAsync("inspect", "--format", "{{.State.Pid}}", Name("worker"))).Output;
        await Command.RequireAsync("kill", ["-KILL", pid], TimeSpan.FromSeconds(30));
        await RestartedAsync(Name("worker"));
        var finished = await client.WaitForJobAsync(slow, "succeeded");
        finished.GetProperty("redeliveries").GetInt32().Should().BeGreaterThan(running.GetProperty("redeliveries").GetInt32(), $"the killed worker's job ran again: {finished}");
        (await PsqlAsync($"SELECT count(*) FROM \"Analyses\" WHERE \"JobId\" = '{slow}'")).Should().Be("1", "one analysis per job, however often it ran");
        report.Step("worker killed mid-job (SIGKILL), restarted by its restart policy, the job succeeded", clock.Elapsed);
    }

    private static async Task RestartedAsync(string container)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var state = (await Command.PodmanAsync("inspect", "--format", "{{.RestartCount}} {{.State.Status}}", container)).Output;
            if (state.StartsWith('0') is false && state.EndsWith("running", StringComparison.Ordinal))
            {
                return;
            }

            clock.Elapsed.Should().BeLessThan(TimeSpan.FromMinutes(2), $"restart: unless-stopped should start {container} again (now: {state})");
            await Task.Delay(200);
        }
    }

    /// <summary>By podman's events, not by waiting: every container of the stack that started since the run began was removed.</summary>
    private static async Task NothingOfTheStackRemainsAsync(DateTimeOffset since)
    {
        (await Command.PodmanAsync("ps", "-a", "-q", "--filter", $"label=io.podman.compose.project={Project}")).Output.Should().BeEmpty();
        (await Command.PodmanAsync("pod", "ps", "-q", "--filter", $"name={Project}")).Output.Should().BeEmpty();
        (await Command.PodmanAsync("volume", "ls", "-q", "--filter", $"label=io.podman.compose.project={Project}")).Output.Should().BeEmpty();
        var events = (await Command.PodmanAsync("events", "--stream=false", "--since", since.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            "--filter", "type=container", "--format", "{{.Status}} {{.Name}}")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var ours = events.Select(e => e.Split(' ')).Where(e => e.Length == 2 && e[1].StartsWith(Project + "_", StringComparison.Ordinal)).ToList();
        var started = ours.Where(e => e[0] == "start").Select(e => e[1]).ToHashSet();
        started.Should().BeEquivalentTo(Services.Select(Name), "every service started");
        ours.Where(e => e[0] == "remove").Select(e => e[1]).Should().Contain(started, "every container that started was removed");
    }

    private static async Task<string> PsqlAsync(string sql) =>
        (await Command.PodmanAsync("exec", Name("postgres"), "psql", "--username=strata", "--dbname=strata", "--tuples-only", "--no-align", "--command", sql)).Output;

    private static string Name(string service) => $"{Project}_{service}_1";

    private static string WriteOverride()
    {
        var path = Path.Combine(Repository.Root, "artifacts", "containers", "compose.test.yaml");
        File.WriteAllText(path, """
            # Written by Strata.Containers.Tests: the worker's model waits 5 s per call, so a job is still running when
            # the test kills the worker; a 10 s lease lets the restarted worker take the job over soon.
            services:
              worker:
                environment:
                  Ai__SimulatedLatency: "00:00:05"
                  Jobs__Redis__LeaseTime: "00:00:10"
            """);
        return path;
    }

    internal static long ParseSize(string text)
    {
        var match = Size().Match(text.Trim());
        match.Success.Should().BeTrue($"'{text}' is a size");
        var scale = match.Groups[2].Value.ToUpperInvariant() switch { "KB" => 1e3, "MB" => 1e6, "GB" => 1e9, _ => 1 };
        return (long)(double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * scale);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"(\w+) healthy \(([0-9.]+) s after its start\)")]
    private static partial Regex HealthyLine();

    [GeneratedRegex(@"^([0-9.]+)\s*([kKMG]?B)$")]
    private static partial Regex Size();
}
