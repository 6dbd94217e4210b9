using System.Globalization;
using ScottPlot;

namespace Strata.Benchmarks.Charts;

/// <summary>
/// The nodes-per-Redis chart: the <c>// strata-nodes</c> lines that NodesPerRedisBenchmarks prints (found in
/// BenchmarkDotNet's logs), one bar per case: the decisions per second at which redis-server would saturate its core,
/// coalesced and one call per decision side by side for each number of API nodes.
/// </summary>
internal static class NodesChart
{
    private const string Prefix = "// strata-nodes ";

    /// <summary>Draws the chart from the newest log that has the lines; returns its path, or null when no log has them.</summary>
    public static string? Draw(string logsFolder, string path)
    {
        var log = Directory.Exists(logsFolder)
            ? Directory.GetFiles(logsFolder, "*.log").OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault(f => File.ReadLines(f).Any(l => l.Contains(Prefix, StringComparison.Ordinal)))
            : null;
        if (log is null)
        {
            return null;
        }

        var cases = File.ReadLines(log)
            .Where(l => l.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(l => l[Prefix.Length..].Split(' ').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal))
            .GroupBy(c => (Nodes: int.Parse(c["nodes"], CultureInfo.InvariantCulture), Coalesce: bool.Parse(c["coalesce"])))
            .Select(g => (g.Key.Nodes, g.Key.Coalesce, Saturation: g.Select(c => double.Parse(c["saturation_per_s"], CultureInfo.InvariantCulture)).Order().ElementAt(g.Count() / 2)))
            .OrderBy(c => c.Nodes).ThenByDescending(c => c.Coalesce)
            .ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var nodes = cases.Select(c => c.Nodes).Distinct().ToList();
        var bars = cases.Select(c => new Bar
        {
            Position = (nodes.IndexOf(c.Nodes) * 3) + (c.Coalesce ? 0 : 1),
            Value = c.Saturation,
            FillColor = palette.GetColor(c.Coalesce ? 0 : 1),
            Label = c.Saturation.ToString("#,0", CultureInfo.InvariantCulture),
        }).ToList();

        var plot = new Plot();
        plot.Add.Bars(bars).ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.SetTicks([.. nodes.Select((_, i) => (i * 3) + 0.5)], [.. nodes.Select(n => n == 1 ? "1 API node" : $"{n} API nodes")]);
        plot.Axes.SetLimitsY(0, cases.Max(c => c.Saturation) * 1.2);
        plot.YLabel("decisions/s at which redis-server saturates one core");
        plot.Title("One redis-server, Strata GCRA: coalesced (blue) and one call per decision (orange)");
        plot.SavePng(path, 900, 520);
        return path;
    }
}
