using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Strata.Benchmarks.RateLimiting;

/// <summary>
/// Columns of <see cref="DecisionLatencyBenchmarks"/>: peak and paced decisions per second, p50 and p99 latency (µs).
/// A measured run executes each case in a process of its own, which prints a <c>// strata-latency</c> line in its
/// cleanup: the column reads it from that process's output. An in-process run (the smoke pass) publishes it directly.
/// </summary>
internal sealed class LatencyColumn : IColumn
{
    private static readonly ConcurrentDictionary<string, LatencyResult> Published = new(StringComparer.Ordinal);
    private readonly Func<LatencyResult, double> _value;

    private LatencyColumn(string name, string legend, int priority, Func<LatencyResult, double> value)
    {
        Id = "Strata.Latency." + name;
        ColumnName = name;
        Legend = legend;
        PriorityInCategory = priority;
        _value = value;
    }

    public static IColumn Peak { get; } = new LatencyColumn("Peak/s", "Decisions per second of this case unpaced (measured in its setup)", 0, r => r.Peak);

    public static IColumn Paced { get; } = new LatencyColumn("Paced/s", "Decisions per second actually run while latency was recorded (target: half of Peak/s)", 1, r => r.Achieved);

    public static IColumn P50 { get; } = new LatencyColumn("P50 µs", "Median decision latency at the paced load, microseconds", 2, r => r.P50Micros);

    public static IColumn P99 { get; } = new LatencyColumn("P99 µs", "99th percentile decision latency at the paced load, microseconds", 3, r => r.P99Micros);

    public string Id { get; }

    public string ColumnName { get; }

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory { get; }

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend { get; }

    public static void Publish(string name, LatencyResult result) => Published[name] = result;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var name = benchmarkCase.Descriptor.WorkloadMethod.Name;
        if (!Published.TryGetValue(name, out var result))
        {
            var lines = summary[benchmarkCase]?.ExecuteResults.SelectMany(r => r.StandardOutput) ?? [];
            foreach (var line in lines)
            {
                if (LatencyResult.TryParse(line, out var found, out var parsed) && found == name)
                {
                    result = parsed;
                }
            }
        }

        if (result is null)
        {
            return "NA";
        }

        var value = _value(result);
        return value.ToString(value >= 1000 ? "N0" : "N1", style.CultureInfo ?? CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}
