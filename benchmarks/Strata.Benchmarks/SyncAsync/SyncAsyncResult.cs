using System.Globalization;

namespace Strata.Benchmarks.SyncAsync;

/// <summary>The figures of one case (all its invocations together), as printed on a <c>// strata-syncasync</c> line.</summary>
internal sealed record SyncAsyncResult(
    double RequestsPerSecond,
    double P50Milliseconds,
    double P99Milliseconds,
    int Threads,
    int PeakThreads,
    int Errors,
    int Timeouts,
    double? JobsPerSecond,
    double CpuMicrosecondsPerRequest,
    int Samples)
{
    public const string Prefix = "// strata-syncasync ";

    public static string Key(string type, string method, int concurrency) =>
        string.Create(CultureInfo.InvariantCulture, $"{type}.{method}/{concurrency}");

    /// <summary>
    /// Merges the invocations: requests/s over all windows, percentiles over all latencies, threads of the last
    /// invocation (the peak over all), errors and timeouts summed, jobs/s averaged.
    /// </summary>
    public static SyncAsyncResult From(IReadOnlyList<Measurement> measurements)
    {
        var all = measurements.SelectMany(m => m.Load.Latencies).ToArray();
        Array.Sort(all);
        var jobs = measurements.Where(m => m.JobsPerSecond is not null).Select(m => m.JobsPerSecond!.Value).ToList();
        return new SyncAsyncResult(
            all.Length / measurements.Sum(m => m.Load.Window.TotalSeconds),
            LoadResult.Percentile(all, 0.50),
            LoadResult.Percentile(all, 0.99),
            measurements[^1].Server.Threads,
            measurements.Max(m => m.Server.PeakThreads),
            measurements.Sum(m => m.Load.Errors),
            measurements.Sum(m => m.Load.Timeouts),
            jobs.Count == 0 ? null : jobs.Average(),
            all.Length == 0 ? double.NaN : measurements.Sum(m => m.Load.ServerCpu.TotalMicroseconds) / all.Length,
            all.Length);
    }

    public string ToLine(string name) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Prefix}{name} rps={RequestsPerSecond:F1} p50ms={P50Milliseconds:F2} p99ms={P99Milliseconds:F2} threads={Threads} peak={PeakThreads} errors={Errors} timeouts={Timeouts} jobsps={(JobsPerSecond is { } j ? j.ToString("F1", CultureInfo.InvariantCulture) : "NA")} cpuus={CpuMicrosecondsPerRequest:F1} samples={Samples}");

    public static bool TryParse(string line, out string name, out SyncAsyncResult result)
    {
        name = string.Empty;
        result = null!;
        var at = line.IndexOf(Prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }

        var parts = line[(at + Prefix.Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = parts.Skip(1).Select(p => p.Split('=')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        double D(string key) => double.Parse(values[key], CultureInfo.InvariantCulture);
        name = parts[0];
        result = new SyncAsyncResult(
            D("rps"), D("p50ms"), D("p99ms"), (int)D("threads"), (int)D("peak"), (int)D("errors"), (int)D("timeouts"),
            values["jobsps"] == "NA" ? null : D("jobsps"), D("cpuus"), (int)D("samples"));
        return true;
    }
}
