using System.Diagnostics;

namespace Strata.Benchmarks.RateLimiting;

/// <summary>Something that decides one request of one partition, as a caller of a limiter does.</summary>
internal interface IDecider
{
    /// <summary>Decides one request (one permit) of partition <paramref name="partition"/> (an index into <see cref="DecisionLoad.Keys"/>, or <see cref="DecisionLoad.Hot"/>).</summary>
    /// <param name="partition">The partition index.</param>
    /// <returns>True when the request was admitted.</returns>
    ValueTask<bool> DecideAsync(int partition);
}

/// <summary>
/// The load of the rate-limiting benchmarks (issue 4): <see cref="Callers"/> concurrent callers, each deciding a fixed
/// sequence of requests over <see cref="Partitions"/> partitions, one await after the other (a caller is a request in
/// flight). Sequences are drawn once with a fixed seed, so every case of a run sees the same partitions in the same order.
/// </summary>
internal static class DecisionLoad
{
    /// <summary>Concurrent callers.</summary>
    public const int Callers = 64;

    /// <summary>Partitions the callers spread over.</summary>
    public const int Partitions = 10_000;

    /// <summary>The index of the abusive partition of the hot-key load.</summary>
    public const int Hot = Partitions;

    /// <summary>Partition keys: <c>tenant-0000</c> .. <c>tenant-9999</c>, then the hot one, <c>abuser</c>.</summary>
    public static readonly string[] Keys = [.. Enumerable.Range(0, Partitions).Select(i => $"tenant-{i:D4}"), "abuser"];

    /// <summary>True in the CI smoke pass (in process, one invocation): setups that time themselves keep it short.</summary>
    public static bool IsSmoke { get; } = Environment.GetCommandLineArgs().Contains("--smoke", StringComparer.Ordinal);

    /// <summary>Per caller, <paramref name="perCaller"/> partition indices; a share <paramref name="hotShare"/> of them (every n-th call) is <see cref="Hot"/>.</summary>
    /// <param name="perCaller">Decisions per caller.</param>
    /// <param name="hotShare">The share of calls that go to the hot partition (0 for none).</param>
    /// <returns>One sequence per caller.</returns>
    public static int[][] Sequences(int perCaller, double hotShare = 0)
    {
        var random = new Random(20261125);
        var sequences = new int[Callers][];
        var cold = hotShare <= 0 ? int.MaxValue : (int)Math.Round(1 / (1 - hotShare));
        for (var c = 0; c < Callers; c++)
        {
            var sequence = sequences[c] = new int[perCaller];
            for (var i = 0; i < perCaller; i++)
            {
                // With hotShare 0.9 every 10th call (staggered per caller) is cold, the other 9 go to the hot partition.
                sequence[i] = hotShare > 0 && (i + c) % cold != 0 ? Hot : random.Next(Partitions);
            }
        }

        return sequences;
    }

    /// <summary>Runs every caller's sequence at once, unpaced; returns the number of admitted requests.</summary>
    /// <param name="decider">The decider.</param>
    /// <param name="sequences">One sequence per caller.</param>
    /// <returns>Admitted requests.</returns>
    public static async Task<int> RunAsync(IDecider decider, int[][] sequences)
    {
        var callers = new Task<int>[sequences.Length];
        for (var c = 0; c < callers.Length; c++)
        {
            var sequence = sequences[c];
            callers[c] = Task.Run(() => CallerAsync(decider, sequence));
        }

        var admitted = 0;
        foreach (var count in await Task.WhenAll(callers).ConfigureAwait(false))
        {
            admitted += count;
        }

        return admitted;
    }

    /// <summary>Runs the sequences unpaced for about <paramref name="duration"/> and returns decisions per second.</summary>
    /// <param name="decider">The decider.</param>
    /// <param name="sequences">One sequence per caller (run again and again).</param>
    /// <param name="duration">How long to measure.</param>
    /// <returns>Decisions per second.</returns>
    public static async Task<double> PeakAsync(IDecider decider, int[][] sequences, TimeSpan duration)
    {
        var decisions = 0L;
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            await RunAsync(decider, sequences).ConfigureAwait(false);
            decisions += sequences.Sum(s => (long)s.Length);
        }

        return decisions / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Throws when the admitted count of a run is not what the load must give: a benchmark of a wrong answer would mislead.</summary>
    /// <param name="name">The case.</param>
    /// <param name="admitted">Admitted requests.</param>
    /// <param name="total">All requests.</param>
    /// <param name="minimumShare">The smallest admitted share that is right.</param>
    /// <param name="maximumShare">The largest admitted share that is right.</param>
    public static void Check(string name, int admitted, int total, double minimumShare, double maximumShare)
    {
        var share = (double)admitted / total;
        if (share < minimumShare || share > maximumShare)
        {
            throw new InvalidOperationException(
                $"{name}: {admitted} of {total} requests admitted ({share:P1}); expected {minimumShare:P0} to {maximumShare:P0}.");
        }
    }

    private static async Task<int> CallerAsync(IDecider decider, int[] sequence)
    {
        var admitted = 0;
        foreach (var partition in sequence)
        {
            if (await decider.DecideAsync(partition).ConfigureAwait(false))
            {
                admitted++;
            }
        }

        return admitted;
    }
}
