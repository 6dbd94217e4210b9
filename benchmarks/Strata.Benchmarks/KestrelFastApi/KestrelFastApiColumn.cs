using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Strata.Benchmarks.KestrelFastApi;

/// <summary>
/// The columns of <see cref="KestrelFastApiBenchmarks"/>. Its cases always run in BenchmarkDotNet's own process (the
/// in-process toolchain of the sync/async configuration), so each case publishes its figures here directly.
/// </summary>
internal sealed class KestrelFastApiColumn : IColumn
{
    private static readonly ConcurrentDictionary<string, KestrelFastApiResult> Published = new(StringComparer.Ordinal);
    private readonly Func<KestrelFastApiResult, KestrelFastApiResult?, double?> _value;
    private readonly string _format;

    private KestrelFastApiColumn(string name, string legend, int priority, string format, Func<KestrelFastApiResult, KestrelFastApiResult?, double?> value)
    {
        Id = "Strata.KestrelFastApi." + name;
        ColumnName = name;
        Legend = legend;
        PriorityInCategory = priority;
        _format = format;
        _value = value;
    }

    public static IColumn[] All { get; } =
    [
        new KestrelFastApiColumn("Req/s", "Correct answers per second in the measured window", 0, "N0", (r, _) => r.RequestsPerSecond),
        new KestrelFastApiColumn("Req/s vs Kestrel", "Req/s of this stack over Req/s of Kestrel on the same endpoint and concurrency, same run", 1, "P1",
            (r, b) => b is null ? null : r.RequestsPerSecond / b.RequestsPerSecond),
        new KestrelFastApiColumn("p50 ms", "Median latency of the correct answers in the window, ms", 2, "N1", (r, _) => r.P50Milliseconds),
        new KestrelFastApiColumn("p99 ms", "99th percentile latency of the correct answers in the window, ms", 3, "N1", (r, _) => r.P99Milliseconds),
        new KestrelFastApiColumn("Errors", "Answers with a wrong status, or connections the server closed, over the whole load", 4, "N0", (r, _) => r.Errors),
        new KestrelFastApiColumn("Timeouts", "Requests without an answer within 10 s, over the whole load (not in the latencies)", 5, "N0", (r, _) => r.Timeouts),
        new KestrelFastApiColumn("Server CPU us/req", "CPU time of the server's process tree in the window (user + system) over the answers in the window, us", 6, "N0", (r, _) => r.CpuMicrosecondsPerRequest),
        new KestrelFastApiColumn("Server RSS MiB", "Resident memory of the server's process tree (the sum over its processes) at the window's end, MiB", 7, "N1", (r, _) => r.RssMebibytes),
        new KestrelFastApiColumn("Processes", "Processes in the server's tree (Uvicorn: the supervisor and its workers)", 8, "N0", (r, _) => r.Processes),
    ];

    public string Id { get; }

    public string ColumnName { get; }

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory { get; }

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend { get; }

    public static void Publish(string key, KestrelFastApiResult result) => Published[key] = result;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var result = Find(benchmarkCase);
        if (result is null)
        {
            return "NA";
        }

        var baselineCase = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.Baseline
            && c.Descriptor.Type == benchmarkCase.Descriptor.Type
            && c.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo);
        var baseline = baselineCase is null ? null : Find(baselineCase);
        var value = _value(result, baseline);
        return value is { } v && !double.IsNaN(v) ? v.ToString(_format, style.CultureInfo ?? CultureInfo.InvariantCulture) : "NA";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;

    private static KestrelFastApiResult? Find(BenchmarkCase benchmarkCase)
    {
        var endpoint = (StackEndpoint)benchmarkCase.Parameters[nameof(KestrelFastApiBenchmarks.Endpoint)];
        var concurrency = (int)benchmarkCase.Parameters[nameof(KestrelFastApiBenchmarks.Concurrency)];
        return Published.GetValueOrDefault(KestrelFastApiResult.Key(benchmarkCase.Descriptor.WorkloadMethod.Name, endpoint, concurrency));
    }
}
