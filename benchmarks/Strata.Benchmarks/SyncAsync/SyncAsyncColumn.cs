using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Strata.Benchmarks.SyncAsync;

/// <summary>
/// The columns of the sync/async benchmarks. A measured run executes each case in a process of its own, which prints
/// a <c>// strata-syncasync</c> line in its global cleanup: the column reads it from that process's output. An
/// in-process run (the smoke pass) publishes it directly.
/// </summary>
internal sealed class SyncAsyncColumn : IColumn
{
    private static readonly ConcurrentDictionary<string, SyncAsyncResult> Published = new(StringComparer.Ordinal);
    private readonly Func<SyncAsyncResult, SyncAsyncResult?, double?> _value;
    private readonly string _format;

    private SyncAsyncColumn(string name, string legend, int priority, string format, Func<SyncAsyncResult, SyncAsyncResult?, double?> value)
    {
        Id = "Strata.SyncAsync." + name;
        ColumnName = name;
        Legend = legend;
        PriorityInCategory = priority;
        _format = format;
        _value = value;
    }

    public static IColumn[] All { get; } =
    [
        new SyncAsyncColumn("Req/s", "Correct answers per second in the measured window", 0, "N0", (r, _) => r.RequestsPerSecond),
        new SyncAsyncColumn("Req/s vs baseline", "Req/s of this case over Req/s of the baseline case at the same concurrency, same run", 1, "P1",
            (r, b) => b is null ? null : r.RequestsPerSecond / b.RequestsPerSecond),
        new SyncAsyncColumn("p50 ms", "Median latency of the correct answers in the window, ms", 2, "N1", (r, _) => r.P50Milliseconds),
        new SyncAsyncColumn("p99 ms", "99th percentile latency of the correct answers in the window, ms", 3, "N1", (r, _) => r.P99Milliseconds),
        new SyncAsyncColumn("Threads", "The server's thread-pool threads (ThreadPool.ThreadCount) at the end of the measured window", 4, "N0", (r, _) => r.Threads),
        new SyncAsyncColumn("Peak threads", "The most thread-pool threads the server had during the invocation", 5, "N0", (r, _) => r.PeakThreads),
        new SyncAsyncColumn("Errors", "Answers with a wrong status, or connections the server closed, over the whole load", 6, "N0", (r, _) => r.Errors),
        new SyncAsyncColumn("Timeouts", "Requests without an answer within 10 s, over the whole load (the wait for the last answers included; not in the latencies)", 7, "N0", (r, _) => r.Timeouts),
        new SyncAsyncColumn("Server CPU us/req", "The server process's CPU time in the window (all threads, user + system) over the answers in the window, us", 9, "N0", (r, _) => r.CpuMicrosecondsPerRequest),
        new SyncAsyncColumn("Jobs done/s", "202 path only: jobs run to completion per second, from the first request to the last job done", 8, "N0", (r, _) => r.JobsPerSecond),
    ];

    public string Id { get; }

    public string ColumnName { get; }

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory { get; }

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend { get; }

    public static void Publish(string name, SyncAsyncResult result) => Published[name] = result;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var result = Find(summary, benchmarkCase);
        if (result is null)
        {
            return "NA";
        }

        var baselineCase = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.Baseline
            && c.Descriptor.Type == benchmarkCase.Descriptor.Type
            && c.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo);
        var baseline = baselineCase is null ? null : Find(summary, baselineCase);
        var value = _value(result, baseline);
        return value is { } v && !double.IsNaN(v) ? v.ToString(_format, style.CultureInfo ?? CultureInfo.InvariantCulture) : "NA";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;

    private static SyncAsyncResult? Find(Summary summary, BenchmarkCase benchmarkCase)
    {
        var concurrency = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == nameof(SyncAsyncBenchmarksBase.Concurrency))?.Value;
        var name = SyncAsyncResult.Key(benchmarkCase.Descriptor.Type.Name, benchmarkCase.Descriptor.WorkloadMethod.Name, Convert.ToInt32(concurrency, CultureInfo.InvariantCulture));
        if (Published.TryGetValue(name, out var published))
        {
            return published;
        }

        SyncAsyncResult? found = null;
        foreach (var line in summary[benchmarkCase]?.ExecuteResults.SelectMany(r => r?.StandardOutput ?? []) ?? [])
        {
            if (SyncAsyncResult.TryParse(line, out var lineName, out var parsed) && lineName == name)
            {
                found = parsed;
            }
        }

        return found;
    }
}
