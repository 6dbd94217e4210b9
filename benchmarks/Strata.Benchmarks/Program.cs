using BenchmarkDotNet.Running;
using Strata.Benchmarks.Infrastructure;
using Strata.Benchmarks.RateLimiting;
using Strata.Benchmarks.SyncAsync;

// Every benchmark class in this assembly, chosen with BenchmarkDotNet's own arguments:
//   dotnet run -c Release --project benchmarks/Strata.Benchmarks -- --filter '*'
//   dotnet run -c Release --project benchmarks/Strata.Benchmarks -- --filter '*' --smoke   (CI: one in-process pass)
// See docs/benchmarks.md.

// The sync/async benchmarks' server runs in a child process of its own: this same assembly, started with this argument.
if (args is [SyncAsyncServer.Argument, ..])
{
    return await SyncAsyncServer.RunAsync();
}

// A simulated API node of the nodes-per-Redis benchmark: this same assembly, started with this argument.
if (args is [ApiNode.Argument, ..])
{
    return await ApiNode.RunAsync(args);
}

var smoke = args.Contains(BenchmarkConfig.SmokeArgument, StringComparer.Ordinal);
var forwarded = args.Where(a => !string.Equals(a, BenchmarkConfig.SmokeArgument, StringComparison.Ordinal)).ToArray();
var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly)
    .Run(forwarded, BenchmarkConfig.Create(smoke, jobOnCommandLine: BenchmarkConfig.NamesAJob(forwarded)))
    .ToList();

// A benchmark that failed (an exception in setup, a wrong status code) must fail CI's smoke pass.
var failed = summaries.Where(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)).ToList();
foreach (var summary in failed)
{
    Console.Error.WriteLine($"Benchmark run '{summary.Title}' failed: see {summary.LogFilePath}");
}

// In the smoke pass a filter that matched nothing is a failure too: it must run something.
if (smoke && (summaries.Count == 0 || summaries.All(s => s.Reports.IsEmpty)))
{
    Console.Error.WriteLine("No benchmark matched the filter.");
    return 1;
}

return failed.Count == 0 ? 0 : 1;
