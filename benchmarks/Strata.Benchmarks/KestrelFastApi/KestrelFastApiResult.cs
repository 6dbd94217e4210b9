using System.Globalization;
using Strata.Benchmarks.SyncAsync;

namespace Strata.Benchmarks.KestrelFastApi;

/// <summary>The figures of one case, as printed on a <c>// strata-kestrel-fastapi</c> line.</summary>
/// <param name="RequestsPerSecond">Correct answers ending in the window per second.</param>
/// <param name="P50Milliseconds">Median latency of those answers.</param>
/// <param name="P99Milliseconds">99th percentile latency of those answers.</param>
/// <param name="Errors">Wrong statuses and closed connections over the whole load.</param>
/// <param name="Timeouts">Requests without an answer within the timeout over the whole load.</param>
/// <param name="CpuMicrosecondsPerRequest">The server tree's CPU time in the window over the answers in it.</param>
/// <param name="RssMebibytes">The server tree's resident memory at the window's end.</param>
/// <param name="Processes">Processes in the server tree.</param>
/// <param name="Samples">Answers in the window.</param>
internal sealed record KestrelFastApiResult(
    double RequestsPerSecond,
    double P50Milliseconds,
    double P99Milliseconds,
    int Errors,
    int Timeouts,
    double CpuMicrosecondsPerRequest,
    double RssMebibytes,
    int Processes,
    int Samples)
{
    public const string Prefix = "// strata-kestrel-fastapi ";

    public static string Key(string method, StackEndpoint endpoint, int concurrency) =>
        string.Create(CultureInfo.InvariantCulture, $"{method}/{endpoint}/{concurrency}");

    public static KestrelFastApiResult From(LoadResult load, ProcessTreeSample atEnd) => new(
        load.RequestsPerSecond,
        load.Percentile(0.50),
        load.Percentile(0.99),
        load.Errors,
        load.Timeouts,
        load.Latencies.Length == 0 ? double.NaN : load.ServerCpu.TotalMicroseconds / load.Latencies.Length,
        atEnd.RssBytes / (1024.0 * 1024.0),
        atEnd.Processes,
        load.Latencies.Length);

    public string ToLine(string key) => string.Create(
        CultureInfo.InvariantCulture,
        $"{Prefix}{key} rps={RequestsPerSecond:F1} p50ms={P50Milliseconds:F2} p99ms={P99Milliseconds:F2} errors={Errors} timeouts={Timeouts} cpuus={CpuMicrosecondsPerRequest:F1} rssmib={RssMebibytes:F1} processes={Processes} samples={Samples}");
}
