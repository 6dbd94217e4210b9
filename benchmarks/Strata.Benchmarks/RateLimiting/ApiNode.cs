using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using Strata.RateLimiting;

namespace Strata.Benchmarks.RateLimiting;

/// <summary>
/// One simulated API node of <see cref="NodesPerRedisBenchmarks"/>, in a process of its own (this assembly started with
/// <see cref="Argument"/>): its own multiplexer and Strata GCRA limiter on the given redis-server, and
/// <see cref="DecisionLoad.Callers"/> callers over <see cref="DecisionLoad.Partitions"/> partitions, as in the other
/// rate-limiting benchmarks. It warms up, prints <see cref="Ready"/>, waits for a line on its input, runs unpaced for
/// the given seconds, and prints one <see cref="ResultPrefix"/> line: decisions made, seconds, its own CPU seconds.
/// </summary>
internal static class ApiNode
{
    /// <summary>The first argument that makes this assembly a simulated API node.</summary>
    public const string Argument = "--rate-limit-node";

    /// <summary>Printed once warmed up.</summary>
    public const string Ready = "ready";

    /// <summary>Starts the line with the node's figures.</summary>
    public const string ResultPrefix = "node ";

    /// <summary>Runs a node: <c>--rate-limit-node host:port coalesce(true|false) seconds</c>.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        var endpoint = args[1];
        var coalesce = bool.Parse(args[2]);
        var seconds = double.Parse(args[3], CultureInfo.InvariantCulture);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(endpoint).ConfigureAwait(false);
        await using var services = Limiters.StrataServices(connection, coalesce: coalesce);
        using var limiter = Limiters.Strata(services, "gcra", limit => RateLimitRule.Gcra(limit, Limiters.Period));
        var sequences = DecisionLoad.Sequences(100);
        await DecisionLoad.RunAsync(limiter, sequences).ConfigureAwait(false);
        Console.WriteLine(Ready);
        await Console.In.ReadLineAsync().ConfigureAwait(false);

        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        long decisions = 0;
        while (Stopwatch.GetElapsedTime(started).TotalSeconds < seconds)
        {
            var admitted = await DecisionLoad.RunAsync(limiter, sequences).ConfigureAwait(false);
            var total = sequences.Sum(s => s.Length);
            DecisionLoad.Check("node", admitted, total, 1, 1);
            decisions += total;
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        self.Refresh();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{ResultPrefix}{decisions} {elapsed:F3} {(self.TotalProcessorTime - cpu).TotalSeconds:F3}"));
        return 0;
    }
}
