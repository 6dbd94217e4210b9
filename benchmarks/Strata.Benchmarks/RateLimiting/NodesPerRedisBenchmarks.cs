using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using StackExchange.Redis;
using Strata.Benchmarks.SyncAsync;
using Strata.Testing;

namespace Strata.Benchmarks.RateLimiting;

/// <summary>
/// How many API nodes one Redis serves (issue 23): <see cref="Nodes"/> simulated API nodes, each a process of its own
/// (<see cref="ApiNode"/>: a multiplexer, Strata GCRA, 64 callers over 10,000 partitions), against one redis-server,
/// with and without coalesced decisions. One invocation is one measurement: the nodes start and warm up, then run
/// unpaced for the same window. redis-server's CPU seconds over the window (INFO cpu) divided into the decisions made
/// give the server CPU per decision, and from it the decisions per second at which redis-server saturates its one
/// core (1 s ÷ server CPU per decision). On this 2-core machine the nodes and the server share the cores, so the
/// server is never left a whole core: the saturation rate is extrapolated from its CPU per decision, which is what a
/// Redis on a core of its own spends. The result is a <c>// strata-nodes</c> line per case; docs/benchmarks.md turns
/// it into API nodes per Redis at a stated request rate.
/// </summary>
[Config(typeof(NodesPerRedisConfig))]
[BenchmarkCategory("RateLimiting")]
public class NodesPerRedisBenchmarks
{
    private static readonly double Seconds = DecisionLoad.IsSmoke ? 0.5 : 5;

    private RedisServer _server = null!;
    private ConnectionMultiplexer _admin = null!;

    /// <summary>Simulated API nodes (client processes).</summary>
    [Params(1, 2, 4)]
    public int Nodes { get; set; }

    /// <summary>Coalesced decisions (the default) or one call per decision.</summary>
    [Params(true, false)]
    public bool Coalesce { get; set; }

    /// <summary>Starts the redis-server.</summary>
    [GlobalSetup]
    public async Task Setup()
    {
        _server = await RedisServer.StartAsync().ConfigureAwait(false);
        _admin = await _server.ConnectAsync(o => o.AllowAdmin = true).ConfigureAwait(false);
    }

    /// <summary>Stops the redis-server.</summary>
    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _admin.DisposeAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One measurement: the nodes, the window, the figures printed.</summary>
    /// <returns>A task.</returns>
    [Benchmark]
    public async Task ApiNodes()
    {
        var nodes = Enumerable.Range(0, Nodes).Select(_ => Start(_server.Endpoint, Coalesce, Seconds)).ToList();
        try
        {
            foreach (var node in nodes)
            {
                await ExpectAsync(node, ApiNode.Ready).ConfigureAwait(false);
            }

            var before = await CpuSeconds.ServerAsync(_admin).ConfigureAwait(false);
            var scriptsBefore = await CpuSeconds.ScriptsAsync(_admin).ConfigureAwait(false);
            var started = Stopwatch.GetTimestamp();
            foreach (var node in nodes)
            {
                await node.StandardInput.WriteLineAsync("go").ConfigureAwait(false);
                await node.StandardInput.FlushAsync().ConfigureAwait(false);
            }

            long decisions = 0;
            double clientCpu = 0;
            foreach (var node in nodes)
            {
                var parts = (await ExpectAsync(node, ApiNode.ResultPrefix).ConfigureAwait(false))[ApiNode.ResultPrefix.Length..].Split(' ');
                decisions += long.Parse(parts[0], CultureInfo.InvariantCulture);
                clientCpu += double.Parse(parts[2], CultureInfo.InvariantCulture);
            }

            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var server = (await CpuSeconds.ServerAsync(_admin).ConfigureAwait(false)) - before;
            var scripts = (await CpuSeconds.ScriptsAsync(_admin).ConfigureAwait(false)) - scriptsBefore;
            var serverPerDecision = server / decisions;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"// strata-nodes nodes={Nodes} coalesce={Coalesce} decisions_per_s={decisions / elapsed:F0} server_core={server / elapsed:F2} server_us={serverPerDecision * 1e6:F2} client_us={clientCpu * 1e6 / decisions:F2} decisions_per_call={(double)decisions / Math.Max(1, scripts):F1} saturation_per_s={1 / serverPerDecision:F0}"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                if (!node.WaitForExit(10_000))
                {
                    node.Kill();
                }

                node.Dispose();
            }
        }
    }

    private static Process Start(string endpoint, bool coalesce, double seconds)
    {
        var entry = Assembly.GetEntryAssembly()?.Location
            ?? throw new InvalidOperationException("No entry assembly: cannot start an API node process.");
        var self = typeof(ApiNode).Assembly.Location;
        var start = new ProcessStartInfo(ServerProcess.DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "exec", "--runtimeconfig", Path.ChangeExtension(entry, ".runtimeconfig.json"), "--depsfile", Path.ChangeExtension(entry, ".deps.json"),
            self, ApiNode.Argument, endpoint, coalesce ? "true" : "false", seconds.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_gcServer"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("An API node process did not start.");
        ChildProcesses.KillWhenOwnerExits(Environment.ProcessId, process.Id);
        return process;
    }

    private static async Task<string> ExpectAsync(Process node, string prefix)
    {
        while (true)
        {
            var line = await node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"An API node process ended before printing '{prefix}' (exit code {(node.HasExited ? node.ExitCode : -1)}).");
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }

    /// <summary>The sync/async benchmarks' job (in process, one invocation per case is one measurement), no extra columns.</summary>
    private sealed class NodesPerRedisConfig : SyncAsyncConfig
    {
        public NodesPerRedisConfig()
            : base(Array.Empty<IColumn>())
        {
        }
    }
}
