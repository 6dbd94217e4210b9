using System.Globalization;
using ScottPlot;

namespace Strata.Benchmarks.Charts;

/// <summary>The two kinds of chart: a value against concurrency (log2 x), and throughput ratios against the baseline.</summary>
internal static class Charts
{
    private const int Width = 900;
    private const int Height = 520;

    /// <summary>One line per method: <paramref name="column"/> against the Concurrency parameter, on a log2 x axis.</summary>
    public static string Lines(CsvReport report, string column, string yLabel, string title, string path, bool logY)
    {
        var plot = new Plot();
        var concurrencies = new SortedSet<int>();
        var all = new List<double>();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var method in report.Rows.Select(r => report.Text(r, "Method")).Distinct(StringComparer.Ordinal))
        {
            var points = report.Rows
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
    /// Throughput of each case against the baseline of its group (BenchmarkDotNet's Ratio is mean over baseline mean,
    /// so throughput against the baseline is its inverse): one bar per case, grouped by the parameters that vary.
    /// </summary>
    public static string Ratios(CsvReport report, string path)
    {
        var meanAt = Array.IndexOf(report.Header, "Mean");
        var parameters = Enumerable.Range(0, meanAt)
            .Select(i => report.Header[i])
            .Where(h => h != "Method" && report.Rows.Select(r => report.Text(r, h)).Distinct(StringComparer.Ordinal).Count() > 1)
            .ToList();
        var bars = new List<Bar>();
        var labels = new List<string>();
        var palette = new ScottPlot.Palettes.Category10();
        var methods = report.Rows.Select(r => report.Text(r, "Method")).Distinct(StringComparer.Ordinal).ToList();
        foreach (var row in report.Rows)
        {
            var ratio = report.Number(row, "Ratio");
            if (double.IsNaN(ratio) || ratio <= 0)
            {
                continue;
            }

            var method = report.Text(row, "Method");
            var group = string.Join(", ", parameters.Select(p => $"{p}={report.Text(row, p)}"));
            var position = bars.Count;
            var value = 1 / ratio;
            bars.Add(new Bar
            {
                Position = position,
                Value = value,
                FillColor = palette.GetColor(methods.IndexOf(method)),
                Label = value.ToString("0.00x", CultureInfo.InvariantCulture),
            });
            labels.Add(group.Length == 0 ? method : $"{method} ({group})");
        }

        var plot = new Plot();
        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = true;
        barPlot.ValueLabelStyle.FontSize = 12;
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, labels.Count).Select(i => (double)i)], [.. labels]);
        plot.Axes.Left.TickLabelStyle.FontSize = 11;
        plot.Axes.Margins(0, 0.15, 0.02, 0.02);
        plot.XLabel("throughput against the baseline of the same run (1 / BenchmarkDotNet's Ratio)");
        plot.Title(report.ClassName);
        plot.SavePng(path, Width, Math.Max(300, 60 + (28 * labels.Count)));
        return path;
    }
}
