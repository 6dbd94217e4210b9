using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Strata.Benchmarks.Infrastructure;

/// <summary>
/// Columns for benchmarks marked <see cref="RequestThroughputAttribute"/>: one operation is one
/// request (the benchmark sets OperationsPerInvoke), so requests/s is 1 / mean, and the throughput ratio to the
/// baseline of the same run is baseline mean / mean (BenchmarkDotNet's own Ratio column is the inverse).
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    private readonly bool _versusBaseline;

    private ThroughputColumn(bool versusBaseline)
    {
        _versusBaseline = versusBaseline;
        Id = versusBaseline ? "Strata.ThroughputRatio" : "Strata.RequestsPerSecond";
        ColumnName = versusBaseline ? "Throughput vs baseline" : "Requests/s";
        Legend = versusBaseline
            ? "Requests/s of this case divided by requests/s of the baseline case with the same parameters, same run"
            : "Requests per second (1 / mean time per request)";
    }

    /// <summary>Requests per second.</summary>
    public static IColumn RequestsPerSecond { get; } = new ThroughputColumn(versusBaseline: false);

    /// <summary>Throughput as a fraction of the baseline case's throughput.</summary>
    public static IColumn VersusBaseline { get; } = new ThroughputColumn(versusBaseline: true);

    /// <inheritdoc />
    public string Id { get; }

    /// <inheritdoc />
    public string ColumnName { get; }

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => _versusBaseline ? 1 : 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend { get; }

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var mean = MeanOf(summary, benchmarkCase);
        if (mean is null)
        {
            return "NA";
        }

        if (!_versusBaseline)
        {
            return (1e9 / mean.Value).ToString("N0", style.CultureInfo);
        }

        var baseline = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.Baseline
            && c.Descriptor.Type == benchmarkCase.Descriptor.Type
            && c.Job.DisplayInfo == benchmarkCase.Job.DisplayInfo
            && c.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo);
        var baselineMean = baseline is null ? null : MeanOf(summary, baseline);
        return baselineMean is null ? "NA" : (baselineMean.Value / mean.Value).ToString("P1", style.CultureInfo);
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(IsRequestBenchmark);

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc />
    public override string ToString() => ColumnName;

    private static double? MeanOf(Summary summary, BenchmarkCase benchmarkCase)
        => IsRequestBenchmark(benchmarkCase) && summary[benchmarkCase]?.ResultStatistics is { } statistics ? statistics.Mean : null;

    private static bool IsRequestBenchmark(BenchmarkCase benchmarkCase)
        => benchmarkCase.Descriptor.Type.IsDefined(typeof(RequestThroughputAttribute), inherit: false);
}

/// <summary>Marks a benchmark class whose operations are HTTP requests, so the throughput columns apply to it.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RequestThroughputAttribute : Attribute;
