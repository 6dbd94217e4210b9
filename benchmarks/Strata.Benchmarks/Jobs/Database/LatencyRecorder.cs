using System.Diagnostics;
using System.Globalization;

namespace Strata.Benchmarks.Jobs.Database;

/// <summary>Enqueue-to-start times of handled jobs, in <see cref="Stopwatch"/> ticks; percentiles on demand.</summary>
internal sealed class LatencyRecorder
{
    private readonly List<long> _ticks = [];

    /// <summary>Records one job started now that was enqueued at <paramref name="enqueuedAt"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void Record(long enqueuedAt)
    {
        var elapsed = Stopwatch.GetTimestamp() - enqueuedAt;
        lock (_ticks)
        {
            _ticks.Add(elapsed);
        }
    }

    /// <summary>Forgets what was recorded so far.</summary>
    public void Clear()
    {
        lock (_ticks)
        {
            _ticks.Clear();
        }
    }

    /// <summary>p50, p99 and the count, as a line for the benchmark log.</summary>
    public string Describe()
    {
        long[] sorted;
        lock (_ticks)
        {
            sorted = [.. _ticks];
        }

        if (sorted.Length == 0)
        {
            return "no jobs";
        }

        Array.Sort(sorted);
        double Ms(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
        return string.Create(CultureInfo.InvariantCulture, $"p50 {Ms(0.50):F2} ms, p99 {Ms(0.99):F2} ms over {sorted.Length} jobs");
    }
}
