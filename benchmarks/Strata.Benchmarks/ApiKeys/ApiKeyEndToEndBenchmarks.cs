using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace Strata.Benchmarks.ApiKeys;

/// <summary>
/// Request throughput and server CPU per request of five real Kestrel hosts on loopback, measured in one process,
/// in alternating batches: the host without authentication (the baseline); the same host with ASP.NET Core's
/// authentication only; with authentication and authorization and a scheme that does nothing (the framework's floor);
/// the same with a scheme that only builds the API-key scheme's principal per request; and the same with the API-key
/// scheme (see <see cref="HostShape"/>). One invocation is <see cref="RoundsPerInvoke"/> rounds; a round is a batch of
/// <see cref="RequestsPerBatch"/> requests to each host in turn, the host that goes first rotating from round to
/// round, so outside load on this shared machine falls on every host alike and each round gives a paired ratio.
/// </summary>
/// <remarks>
/// <para>
/// The load comes from <see cref="RawHttpLoad"/>: <see cref="Concurrency"/> dedicated threads on blocking keep-alive
/// sockets, sending the same bytes to every host (the same <c>X-Api-Key</c> header, accepted only by the API-key
/// host; the others never read it). Its threads' CPU time is read per thread and subtracted from the process's, so
/// the report gives the <b>server's CPU time per request</b> (Kestrel, the pipeline, the GC), the measure of a host's
/// capacity, beside the <b>requests/s the client observed</b>, which on a machine whose cores the client shares
/// also depends on the client's own cost.
/// </para>
/// <para>
/// Each batch ends with a gen-0 collection counted in the batch's CPU time, so every host pays for the garbage it
/// made and none inherits another's. The first <see cref="WarmRounds"/> rounds of each process (JIT, tiering,
/// BenchmarkDotNet's own warm-up) are left out of the report, which is printed at the end of the process as a table
/// starting with <c>// End to end, interleaved</c>. BenchmarkDotNet's own Mean is the wall time per request
/// averaged over the five hosts: not a figure to read.
/// </para>
/// </remarks>
[BenchmarkCategory("ApiKeys", "EndToEnd")]
public class ApiKeyEndToEndBenchmarks
{
    /// <summary>Requests sent to each host per round.</summary>
    public const int RequestsPerBatch = 4096;

    /// <summary>Rounds per benchmark invocation.</summary>
    public const int RoundsPerInvoke = 3;

    /// <summary>Rounds left out of the report at the start of each process (the first two invocations).</summary>
    public const int WarmRounds = 2 * RoundsPerInvoke;

    private static readonly HostShape[] Shapes =
    [
        HostShape.NoAuthentication,
        HostShape.AuthenticationOnly,
        HostShape.FixedPrincipalScheme,
        HostShape.FreshPrincipalScheme,
        HostShape.ApiKey,
    ];

    private readonly List<Batch[]> _rounds = [];
    private EndToEndHost[] _hosts = [];
    private RawHttpLoad? _load;

    /// <summary>Concurrent callers (and connections per host).</summary>
    [Params(16, 64)]
    public int Concurrency { get; set; }

    /// <summary>Starts the hosts and the callers' connections, and proves each host answers 200.</summary>
    /// <returns>A task.</returns>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _hosts = new EndToEndHost[Shapes.Length];
        for (var i = 0; i < Shapes.Length; i++)
        {
            _hosts[i] = await StartAsync(Shapes[i]);
        }

        var key = _hosts[Array.IndexOf(Shapes, HostShape.ApiKey)].Key;
        _load = new RawHttpLoad([.. _hosts.Select(h => h.Address)], EndToEndHost.Path, [new("X-Api-Key", key)], Concurrency);
        for (var i = 0; i < _hosts.Length; i++)
        {
            _load.Run(i, Concurrency * 8);  // opens the connections' server side and fills the key cache
        }
    }

    /// <summary>Prints the report and stops the hosts.</summary>
    /// <returns>A task.</returns>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        Console.WriteLine(Report());
        _load?.Dispose();
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    /// <summary><see cref="RoundsPerInvoke"/> rounds: in each, a batch to each host, the first host rotating by round.</summary>
    [Benchmark(OperationsPerInvoke = RequestsPerBatch * 5 * RoundsPerInvoke)]
    public void Rounds()
    {
        for (var i = 0; i < RoundsPerInvoke; i++)
        {
            Round();
        }
    }

    private void Round()
    {
        var load = _load!;
        var batches = new Batch[Shapes.Length];
        for (var k = 0; k < Shapes.Length; k++)
        {
            var host = (k + _rounds.Count) % Shapes.Length;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = RawHttpLoad.ProcessCpu();
            var (elapsed, clientCpu) = load.Run(host, RequestsPerBatch);
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            var processCpu = RawHttpLoad.ProcessCpu() - cpu;
            batches[host] = new Batch(elapsed, processCpu - clientCpu, clientCpu, GC.GetTotalAllocatedBytes(precise: true) - allocated);
        }

        _rounds.Add(batches);
    }

    private static Task<EndToEndHost> StartAsync(HostShape shape) => EndToEndHost.StartAsync(shape);

    private string Report()
    {
        var rounds = _rounds.Skip(WarmRounds).ToList();
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"// End to end, interleaved: Concurrency={Concurrency}, {rounds.Count} rounds of {RequestsPerBatch} requests per host (first {WarmRounds} rounds left out)");
        if (rounds.Count < 2)
        {
            text.AppendLine("// Too few rounds for figures (a smoke pass).");
            return text.ToString();
        }

        text.AppendLine("// | host | requests/s | vs baseline (requests/s) | server CPU per request | vs baseline (capacity) | client CPU per request | allocated per request |");
        text.AppendLine("// |---|---:|---:|---:|---:|---:|---:|");
        var n = (double)rounds.Count * RequestsPerBatch;
        for (var h = 0; h < Shapes.Length; h++)
        {
            var wall = rounds.Sum(r => r[h].Elapsed.TotalSeconds);
            var server = rounds.Sum(r => r[h].ServerCpu.TotalMicroseconds);
            var client = rounds.Sum(r => r[h].ClientCpu.TotalMicroseconds);
            var bytes = rounds.Sum(r => (double)r[h].Allocated);
            text.AppendLine(c, $"// | {Shapes[h]} | {n / wall:N0} | {Paired(rounds, h, 0, static b => b.Elapsed.TotalSeconds)} | {server / n:F1} us | {Paired(rounds, h, 0, static b => b.ServerCpu.TotalSeconds)} | {client / n:F1} us | {bytes / n:N0} B |");
        }

        var apiKey = Array.IndexOf(Shapes, HostShape.ApiKey);
        var floor = Array.IndexOf(Shapes, HostShape.FixedPrincipalScheme);
        var fresh = Array.IndexOf(Shapes, HostShape.FreshPrincipalScheme);
        var authenticationOnly = Array.IndexOf(Shapes, HostShape.AuthenticationOnly);
        text.AppendLine(c, $"// API key vs do-nothing scheme: requests/s {Paired(rounds, apiKey, floor, static b => b.Elapsed.TotalSeconds)}, capacity {Paired(rounds, apiKey, floor, static b => b.ServerCpu.TotalSeconds)}");
        text.AppendLine(c, $"// API key vs fresh-principal scheme: requests/s {Paired(rounds, apiKey, fresh, static b => b.Elapsed.TotalSeconds)}, capacity {Paired(rounds, apiKey, fresh, static b => b.ServerCpu.TotalSeconds)}");
        text.AppendLine(c, $"// Fresh-principal vs do-nothing scheme: capacity {Paired(rounds, fresh, floor, static b => b.ServerCpu.TotalSeconds)}");
        text.AppendLine(c, $"// Do-nothing scheme (authentication + authorization) vs authentication only: capacity {Paired(rounds, floor, authenticationOnly, static b => b.ServerCpu.TotalSeconds)}");
        text.AppendLine(c, $"// Per request, server CPU above the baseline: {string.Join(", ", Enumerable.Range(1, Shapes.Length - 1).Select(h => string.Create(c, $"{Shapes[h]} {(rounds.Sum(r => r[h].ServerCpu.TotalMicroseconds) - rounds.Sum(r => r[0].ServerCpu.TotalMicroseconds)) / n:F1} us")))}");
        text.AppendLine("// Ratios: baseline cost over host cost, summed over all rounds; then the median and middle half of the per-round ratios.");
        return text.ToString();
    }

    /// <summary>
    /// The reference's total cost over the host's (1 / cost ratio), and the median and middle half of the same ratio
    /// per round: robust to a round that outside load hit hard.
    /// </summary>
    private static string Paired(List<Batch[]> rounds, int host, int reference, Func<Batch, double> cost)
    {
        if (host == reference)
        {
            return "100 %";
        }

        var total = rounds.Sum(r => cost(r[reference])) / rounds.Sum(r => cost(r[host]));
        var ratios = rounds.Select(r => cost(r[reference]) / cost(r[host])).Order().ToList();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{total * 100:F1} % (median {Quantile(ratios, 0.5) * 100:F1}, middle half {Quantile(ratios, 0.25) * 100:F1}-{Quantile(ratios, 0.75) * 100:F1})");
    }

    private static double Quantile(List<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }

    private readonly record struct Batch(TimeSpan Elapsed, TimeSpan ServerCpu, TimeSpan ClientCpu, long Allocated);
}
