using System.Globalization;
using ScottPlot;

namespace Strata.Benchmarks.Charts;

/// <summary>The two kinds of chart: a value against concurrency (log2 x), and throughput ratios against the baseline.</summary>
internal static class Charts
{
    private const int Width = 900;
    private const int Height = 520;

    /// <summary>
    /// One line per method: <paramref name="column"/> against the Concurrency parameter, on a log2 x axis, over the rows
    /// <paramref name="rows"/> keeps (all when null: a class with another parameter draws one chart per value of it).
    /// </summary>
    public static string Lines(CsvReport report, string column, string yLabel, string title, string path, bool logY, Func<string[], bool>? rows = null)
    {
        var kept = report.Rows.Where(rows ?? (_ => true)).ToList();
        var plot = new Plot();
        var concurrencies = new SortedSet<int>();
        var all = new List<double>();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var method in kept.Select(r => report.Text(r, "Method")).Distinct(StringComparer.Ordinal))
        {
            var points = kept
                .Where(r => report.Text(r, "Method") == method)
                .Select(r => (X: (int)report.Number(r, "Concurrency"), Y: report.Number(r, column)))
                .Where(p => !double.IsNaN(p.Y) && (!logY || p.Y > 0))
                .OrderBy(p => p.X)
                .ToList();
            if (points.Count == 0)
            {
                continue;
            }

            concurrencies.UnionWith(points.Select(p => p.X));
            all.AddRange(points.Select(p => p.Y));
            var line = plot.Add.Scatter(
                points.Select(p => Math.Log2(p.X)).ToArray(),
                points.Select(p => logY ? Math.Log10(p.Y) : p.Y).ToArray());
            line.LegendText = method;
            line.Color = palette.GetColor(index++);
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }

        plot.Axes.Bottom.SetTicks(
            concurrencies.Select(c => Math.Log2(c)).ToArray(),
            concurrencies.Select(c => c.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.XLabel("concurrent connections (log scale)");
        plot.YLabel(yLabel);
        plot.Title(title);
        if (logY && all.Count > 0)
        {
            var low = Math.Floor(Math.Log10(all.Min()));
            var high = Math.Ceiling(Math.Log10(all.Max()));
            var ticks = new List<double>();
            var labels = new List<string>();
            for (var decade = low; decade <= high; decade++)
            {
                foreach (var step in new[] { 1, 2, 5 })
                {
                    var value = step * Math.Pow(10, decade);
                    if (Math.Log10(value) <= high)
                    {
                        ticks.Add(Math.Log10(value));
                        labels.Add(value.ToString(value < 1 ? "0.##" : "#,0", CultureInfo.InvariantCulture));
                    }
                }
            }

            plot.Axes.Left.SetTicks([.. ticks], [.. labels]);
            plot.Axes.SetLimitsY(low, high);
        }

        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
        return path;
    }

    /// <summary>
    /// One bar per case: operations per second (1 / BenchmarkDotNet's Mean; each benchmark sets OperationsPerInvoke,
    /// so the Mean is per request, decision or job) on a log scale, labelled with the throughput against the baseline of
    /// its group (BenchmarkDotNet's Ratio is mean over baseline mean, so throughput against the baseline is its inverse).
    /// Cases are grouped by the parameters that vary.
    /// </summary>
    public static string Ratios(CsvReport report, string path)
    {
        var meanAt = Array.IndexOf(report.Header, "Mean");
        var parameters = Enumerable.Range(0, meanAt)
            .Select(i => report.Header[i])
            .Where(h => h != "Method" && report.Rows.Select(r => report.Text(r, h)).Distinct(StringComparer.Ordinal).Count() > 1)
            .ToList();
        var palette = new ScottPlot.Palettes.Category10();
        var methods = report.Rows.Select(r => report.Text(r, "Method")).Distinct(StringComparer.Ordinal).ToList();
        var cases = new List<(string Label, double PerSecond, double Ratio, int Method)>();
        foreach (var row in report.Rows)
        {
            var perSecond = 1e9 / report.Nanoseconds(row, "Mean");
            if (double.IsNaN(perSecond) || perSecond <= 0)
            {
                continue;
            }

            var method = report.Text(row, "Method");
            var group = string.Join(", ", parameters.Select(p => $"{p}={report.Text(row, p)}"));
            cases.Add((group.Length == 0 ? method : $"{method} ({group})", perSecond, report.Number(row, "Ratio"), methods.IndexOf(method)));
        }

        // A log scale only when the cases span more than a factor of 20 (jobs: a channel against Hangfire on Redis).
        var log = cases.Max(c => c.PerSecond) / cases.Min(c => c.PerSecond) > 20;
        var low = log ? Math.Floor(Math.Log10(cases.Min(c => c.PerSecond))) : 0;
        var high = log ? Math.Ceiling(Math.Log10(cases.Max(c => c.PerSecond))) : cases.Max(c => c.PerSecond);
        var bars = cases.Select((c, i) => new Bar
        {
            // Drawn top to bottom in the report's order.
            Position = cases.Count - 1 - i,
            ValueBase = low,
            Value = log ? Math.Log10(c.PerSecond) : c.PerSecond,
            FillColor = palette.GetColor(c.Method),
            Label = double.IsNaN(c.Ratio) || c.Ratio <= 0
                ? c.PerSecond.ToString("#,0", CultureInfo.InvariantCulture) + "/s"
                : string.Create(CultureInfo.InvariantCulture, $"{c.PerSecond:#,0}/s ({(1 / c.Ratio).ToString(1 / c.Ratio >= 0.1 ? "0.00" : "0.0###", CultureInfo.InvariantCulture)}x)"),
        }).ToList();

        var plot = new Plot();
        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = true;
        barPlot.ValueLabelStyle.FontSize = 12;
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, cases.Count).Select(i => (double)(cases.Count - 1 - i))], [.. cases.Select(c => c.Label)]);
        plot.Axes.Left.TickLabelStyle.FontSize = 11;
        if (log)
        {
            var ticks = new List<double>();
            var labels = new List<string>();
            for (var decade = low; decade <= high; decade++)
            {
                ticks.Add(decade);
                labels.Add(Math.Pow(10, decade).ToString("#,0", CultureInfo.InvariantCulture));
            }

            plot.Axes.Bottom.SetTicks([.. ticks], [.. labels]);
        }

        plot.Axes.SetLimitsX(low, high + ((high - low) * 0.3));
        plot.XLabel(log ? "per second, log scale; (x) against the same run's baseline" : "per second; (x) against the same run's baseline");
        plot.Axes.Bottom.Label.FontSize = 13;
        plot.Title(report.ClassName);
        plot.SavePng(path, Width, Math.Max(300, 90 + (30 * cases.Count)));
        return path;
    }
}
