using System.Globalization;
using ScottPlot;
using Strata.Benchmarks.Charts;

// Draws the benchmark charts from BenchmarkDotNet's CSV reports:
//   dotnet run -c Release --project benchmarks/Strata.Benchmarks.Charts -- <results folder> <output folder>
// (benchmarks/charts.sh passes BenchmarkDotNet.Artifacts/results and docs/benchmarks/img). See docs/benchmarks.md.
if (args.Length != 2)
{
    Console.Error.WriteLine("Usage: Strata.Benchmarks.Charts <BenchmarkDotNet results folder> <output folder>");
    return 2;
}

var results = args[0];
var output = args[1];
if (!Directory.Exists(results))
{
    Console.Error.WriteLine($"No results folder '{results}': run the benchmarks first.");
    return 1;
}

Directory.CreateDirectory(output);

// SkiaSharp's self-contained Linux library does not ask fontconfig for fonts: name a font file when there is one.
const string Font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
if (File.Exists(Font))
{
    Fonts.AddFontFile("DejaVu Sans", Font);
    Fonts.Default = "DejaVu Sans";
}
var reports = Directory.GetFiles(results, "*-report.csv").Order(StringComparer.Ordinal).Select(CsvReport.Read).ToList();
if (reports.Count == 0)
{
    Console.Error.WriteLine($"No *-report.csv in '{results}'.");
    return 1;
}

var written = new List<string>();
foreach (var report in reports)
{
    if (report.ClassName == "SyncAsyncIoBenchmarks")
    {
        written.Add(Charts.Lines(report, "Req/s", "Requests/s (log)", "Simulated 20 ms I/O: requests/s against concurrency", Path.Combine(output, "syncasync-io-throughput.png"), logY: true));
        written.Add(Charts.Lines(report, "p99 ms", "p99 latency, ms (log)", "Simulated 20 ms I/O: p99 latency against concurrency", Path.Combine(output, "syncasync-io-p99.png"), logY: true));
        written.Add(Charts.Lines(report, "Threads", "thread-pool threads at the end", "Simulated 20 ms I/O: the server's thread-pool threads", Path.Combine(output, "syncasync-io-threads.png"), logY: false));
    }
    else if (report.ClassName == "SyncAsyncCpuBenchmarks")
    {
        written.Add(Charts.Lines(report, "Req/s", "Requests/s", "About 1 ms of CPU per request: requests/s against concurrency", Path.Combine(output, "syncasync-cpu-throughput.png"), logY: false));
        written.Add(Charts.Lines(report, "p99 ms", "p99 latency, ms (log)", "About 1 ms of CPU per request: p99 latency against concurrency", Path.Combine(output, "syncasync-cpu-p99.png"), logY: true));
    }
    else if (report.ClassName == "KestrelFastApiBenchmarks")
    {
        // One chart per route: Kestrel, Uvicorn with one worker and with one worker per core, against concurrency.
        foreach (var (endpoint, title) in new[]
        {
            ("AwaitIo", "Awaited 20 ms wait"),
            ("BlockingSync", "Sync handler blocking 20 ms (FastAPI: def on its thread pool)"),
            ("BlockingInAsync", "Async handler blocking 20 ms (FastAPI: stalls the event loop)"),
            ("Cpu", "About 1 ms of SHA-256 per request"),
            ("JsonEcho", "Small JSON echo"),
        })
        {
            written.Add(Charts.Lines(
                report, "Req/s", "Requests/s (log)", $"Kestrel and FastAPI on Uvicorn: {title}",
                Path.Combine(output, $"fastapi-{endpoint.ToLowerInvariant()}-throughput.png"), logY: true,
                rows: r => report.Text(r, "Endpoint") == endpoint));
        }

        written.Add(Charts.Lines(
            report, "p99 ms", "p99 latency, ms (log)", "Kestrel and FastAPI on Uvicorn: awaited 20 ms wait, p99 latency",
            Path.Combine(output, "fastapi-awaitio-p99.png"), logY: true, rows: r => report.Text(r, "Endpoint") == "AwaitIo"));
    }
    else if (report.Has("Mean") && report.Has("Ratio"))
    {
        written.Add(Charts.Ratios(report, Path.Combine(output, report.ClassName + ".png")));
    }
    else
    {
        Console.WriteLine($"Skipped {Path.GetFileName(report.Path)}: no Mean and Ratio columns.");
    }
}

// The nodes-per-Redis chart comes from the figures NodesPerRedisBenchmarks prints into BenchmarkDotNet's log.
if (NodesChart.Draw(Path.GetDirectoryName(Path.GetFullPath(results))!, Path.Combine(output, "NodesPerRedis.png")) is { } nodesChart)
{
    written.Add(nodesChart);
}

foreach (var file in written)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {file}"));
}

return 0;
