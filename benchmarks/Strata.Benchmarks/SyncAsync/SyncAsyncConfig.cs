using BenchmarkDotNet.Columns;
using BenchmarkDotNet.ConsoleArguments;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using Strata.Benchmarks.Infrastructure;

namespace Strata.Benchmarks.SyncAsync;

/// <summary>
/// The sync/async benchmarks' own configuration, used instead of the global one (<see cref="ConfigUnionRule.AlwaysUseLocal"/>):
/// one invocation per case, which is one whole measurement (a fresh server, a warm-up, a 5 s window), in a process of
/// its own; the smoke pass runs it in process with a short window. The command line's filters still apply; its
/// <c>--job</c> does not (the load has its own warm-up and window; BenchmarkDotNet's pilot and repeated
/// iterations would only multiply the run time).
/// </summary>
internal sealed class SyncAsyncConfig : ManualConfig
{
    /// <summary>The measured job: cold start, one invocation, no pilot, no BenchmarkDotNet warm-up.</summary>
    public static readonly Job Measured = Job.Default
        .WithStrategy(RunStrategy.ColdStart)
        .WithLaunchCount(1)
        .WithWarmupCount(0)
        .WithIterationCount(1)
        .WithInvocationCount(1)
        .WithUnrollFactor(1)
        .WithGcServer(true)
        .WithId("SyncAsync");

    public SyncAsyncConfig()
    {
        Add(DefaultConfig.Instance);
        AddColumn(SyncAsyncColumn.All);

        // One invocation per case: no error bars, and BenchmarkDotNet's ratio of invocation lengths means nothing here.
        HideColumns(Column.Error, Column.Ratio, Column.RatioSD, Column.StdDev);
        WithUnionRule(ConfigUnionRule.AlwaysUseLocal);
        var arguments = Environment.GetCommandLineArgs().Skip(1).Where(a => a != BenchmarkConfig.SmokeArgument).ToArray();
        var (parsed, config, _) = ConfigParser.Parse(arguments, NullLogger.Instance);
        if (parsed && config is not null)
        {
            AddFilter([.. config.GetFilters()]);
        }

        if (IsSmoke)
        {
            AddJob(BenchmarkConfig.Smoke.WithWarmupCount(0).WithIterationCount(1).WithInvocationCount(1).WithUnrollFactor(1));
            WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }
        else
        {
            AddJob(Measured);
        }
    }

    /// <summary>The process runs the smoke pass (<c>--smoke</c> on its command line).</summary>
    public static bool IsSmoke { get; } = Environment.GetCommandLineArgs().Contains(BenchmarkConfig.SmokeArgument, StringComparer.Ordinal);
}
