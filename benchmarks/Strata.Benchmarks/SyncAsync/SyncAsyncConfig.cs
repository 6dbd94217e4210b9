using BenchmarkDotNet.Columns;
using BenchmarkDotNet.ConsoleArguments;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Strata.Benchmarks.Infrastructure;

namespace Strata.Benchmarks.SyncAsync;

/// <summary>
/// The sync/async benchmarks' own configuration, used instead of the global one (<see cref="ConfigUnionRule.AlwaysUseLocal"/>):
/// one invocation per case, which is one whole measurement (a fresh server process, a warm-up, a 5 s window). The
/// load generator runs in BenchmarkDotNet's own process (the in-process toolchain): the process measured is the
/// server, which starts fresh for every case in a process of its own, so nothing is gained by a generated benchmark
/// project, whose build took over BenchmarkDotNet's 2-minute build timeout on this loaded 2-core machine. The
/// command line's filters still apply; its <c>--job</c> does not (the load has its own warm-up and window;
/// BenchmarkDotNet's pilot and repeated iterations would only multiply the run time). The smoke pass runs the same
/// job with a 0.2 s warm-up and a 0.5 s window at 1 and 16 connections.
/// </summary>
internal class SyncAsyncConfig : ManualConfig
{
    /// <summary>The process runs the smoke pass (<c>--smoke</c> on its command line).</summary>
    public static bool IsSmoke { get; } = Environment.GetCommandLineArgs().Contains(BenchmarkConfig.SmokeArgument, StringComparer.Ordinal);

    /// <summary>The job: in process, cold start, one invocation, no pilot, no BenchmarkDotNet warm-up.</summary>
    public static readonly Job Measured = Job.Default
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithStrategy(RunStrategy.ColdStart)
        .WithLaunchCount(1)
        .WithWarmupCount(0)
        .WithIterationCount(1)
        .WithInvocationCount(1)
        .WithUnrollFactor(1)
        .WithId(IsSmoke ? "SyncAsyncSmoke" : "SyncAsync");

    public SyncAsyncConfig()
        : this(SyncAsyncColumn.All)
    {
    }

    /// <summary>The same job and filters with other columns (a class that reports other figures).</summary>
    /// <param name="columns">The custom columns.</param>
    protected SyncAsyncConfig(IColumn[] columns)
    {
        Add(DefaultConfig.Instance);
        AddColumn(columns);

        // One invocation per case: no error bars, and BenchmarkDotNet's ratio of invocation lengths means nothing here.
        HideColumns(Column.Error, Column.Ratio, Column.RatioSD, Column.StdDev);
        WithUnionRule(ConfigUnionRule.AlwaysUseLocal);
        var arguments = Environment.GetCommandLineArgs().Skip(1).Where(a => a != BenchmarkConfig.SmokeArgument).ToArray();
        var (parsed, config, _) = ConfigParser.Parse(arguments, NullLogger.Instance);
        if (parsed && config is not null)
        {
            AddFilter([.. config.GetFilters()]);
        }

        AddJob(Measured);
    }
}
