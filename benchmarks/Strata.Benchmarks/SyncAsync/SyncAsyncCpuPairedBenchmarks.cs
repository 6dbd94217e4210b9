using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace Strata.Benchmarks.SyncAsync;

/// <summary>
/// The CPU-bound comparison in pairs: one server process per case, then rounds of a 1 s window on <c>/cpu/sync</c> and
/// a 1 s window on <c>/cpu/async</c> (each after a 0.5 s warm-up on fresh connections), the order alternating from round
/// to round, so outside load on this shared machine falls on both alike and each round gives a paired ratio. The
/// report (a <c>// strata-cpu-paired</c> table in the log) gives async ÷ sync for requests/s and for server CPU per
/// request: the totals and the median and middle half of the per-round ratios. BenchmarkDotNet's Mean is the length
/// of one invocation.
/// </summary>
[Config(typeof(SyncAsyncConfig))]
[BenchmarkCategory("SyncAsync")]
public class SyncAsyncCpuPairedBenchmarks
{
    private static readonly HttpRequestSpec Sync = new("GET", "/cpu/sync", null, 200);
    private static readonly HttpRequestSpec Async = new("GET", "/cpu/async", null, 200);

    /// <summary>Concurrent connections.</summary>
    [ParamsSource(nameof(Concurrencies))]
    public int Concurrency { get; set; }

    /// <summary>16, 64 and 256 connections; 16 in the smoke pass.</summary>
    public static IEnumerable<int> Concurrencies => SyncAsyncConfig.IsSmoke ? [16] : [16, 64, 256];

    /// <summary>Rounds of one sync and one async window.</summary>
    public static int Rounds => SyncAsyncConfig.IsSmoke ? 2 : 12;

    /// <summary>Runs the rounds on one fresh server and prints the paired ratios.</summary>
    /// <returns>A task.</returns>
    [Benchmark]
    public async Task Paired()
    {
        using var server = ServerProcess.Start();
        await server.PrimeAsync(Sync).ConfigureAwait(false);
        await server.PrimeAsync(Async).ConfigureAwait(false);
        var warmup = TimeSpan.FromSeconds(SyncAsyncConfig.IsSmoke ? 0.1 : 0.5);
        var window = TimeSpan.FromSeconds(SyncAsyncConfig.IsSmoke ? 0.3 : 1);
        var rounds = new List<(LoadResult Sync, LoadResult Async)>();
        for (var r = 0; r < Rounds; r++)
        {
            LoadResult? sync = null;
            LoadResult? async = null;
            foreach (var first in r % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var result = await ClosedLoopLoad.RunAsync(server.Address, first ? Sync : Async, Concurrency, warmup, window, SyncAsyncBenchmarksBase.Timeout, server.Sample).ConfigureAwait(false);
                if (result.Latencies.Length == 0 || result.Errors > 0 || result.Timeouts > 0)
                {
                    throw new InvalidOperationException($"{(first ? Sync : Async).Path}: {result.Latencies.Length} answers, {result.Errors} errors, {result.Timeouts} timeouts ({result.FirstError}).");
                }

                if (first)
                {
                    sync = result;
                }
                else
                {
                    async = result;
                }
            }

            rounds.Add((sync!, async!));
        }

        Console.WriteLine(Report(rounds));
    }

    private string Report(List<(LoadResult Sync, LoadResult Async)> rounds)
    {
        var c = CultureInfo.InvariantCulture;
        static double Cpu(LoadResult r) => r.ServerCpu.TotalMicroseconds / r.Latencies.Length;
        var text = new StringBuilder();
        text.AppendLine(c, $"// strata-cpu-paired Concurrency={Concurrency}, {rounds.Count} rounds of 1 s per endpoint");
        text.AppendLine(c, $"// | | sync | async | async / sync (total) | median | middle half |");
        Row("requests/s", r => r.Latencies.Length / r.Window.TotalSeconds, "N0");
        Row("server CPU us/request", Cpu, "N0");
        Row("p99 ms", r => r.Percentile(0.99), "N1");
        return text.ToString();

        void Row(string name, Func<LoadResult, double> value, string format)
        {
            var sync = rounds.Average(r => value(r.Sync));
            var async = rounds.Average(r => value(r.Async));
            var ratios = rounds.Select(r => value(r.Async) / value(r.Sync)).Order().ToList();
            text.AppendLine(c, $"// | {name} | {sync.ToString(format, c)} | {async.ToString(format, c)} | {async / sync:F2} | {Quantile(ratios, 0.5):F2} | {Quantile(ratios, 0.25):F2}-{Quantile(ratios, 0.75):F2} |");
        }
    }

    private static double Quantile(List<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + ((position - below) * (sorted[above] - sorted[below]));
    }
}
