using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Strata.Benchmarks.Infrastructure;

/// <summary>The jobs Strata's benchmarks run with: a short measured job by default, a smoke pass for CI.</summary>
public static class BenchmarkConfig
{
    /// <summary>The argument that selects the smoke pass (removed before BenchmarkDotNet parses the rest).</summary>
    public const string SmokeArgument = "--smoke";

    /// <summary>
    /// The default job: 3 warm-up and 10 measured iterations in a separate process with server GC (what an
    /// ASP.NET Core host runs with). Short enough for a 2-core shared machine, long enough for stable ratios.
    /// </summary>
    public static Job Measured { get; } = Job.Default
        .WithWarmupCount(3)
        .WithIterationCount(10)
        .WithGcServer(true)
        .WithId("Measured");

    /// <summary>
    /// The smoke pass: every benchmark runs once, in process (no generated project to build). It proves the
    /// benchmarks still start, reach their endpoints and get the expected answers; its timings mean nothing.
    /// </summary>
    public static Job Smoke { get; } = Job.Dry
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithId("Smoke");

    /// <summary>Builds the configuration: the default columns and exporters, the memory diagnoser, and the job.</summary>
    /// <param name="smoke">Run the smoke pass instead of the measured job.</param>
    /// <param name="jobOnCommandLine">The command line names a job (<c>--job</c>): leave the choice to it.</param>
    /// <returns>The configuration.</returns>
    public static IConfig Create(bool smoke, bool jobOnCommandLine)
    {
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(ThroughputColumn.RequestsPerSecond, ThroughputColumn.VersusBaseline);
        if (smoke)
        {
            return config.AddJob(Smoke).WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }

        return jobOnCommandLine ? config : config.AddJob(Measured);
    }

    /// <summary>True when the arguments choose a job themselves (<c>--job short</c>, <c>-j dry</c>).</summary>
    /// <param name="args">The arguments for BenchmarkDotNet.</param>
    /// <returns><see langword="true"/> when a job is named.</returns>
    public static bool NamesAJob(IEnumerable<string> args)
        => args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal));
}
