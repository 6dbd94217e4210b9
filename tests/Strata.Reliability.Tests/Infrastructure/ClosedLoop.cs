using System.Diagnostics;

namespace Strata.Reliability.Tests.Infrastructure;

/// <summary>
/// A closed-loop load generator: <c>loops</c> concurrent loops, each sending its next request only when the previous one
/// answered, until the duration is over. A loop is never cancelled mid-request, so every request it sent is answered
/// (or fails on its own) and counted.
/// </summary>
public static class ClosedLoop
{
    /// <summary>Runs the loops; <paramref name="step"/> gets the loop's index and its iteration number.</summary>
    /// <returns>The time from the first request sent to the last answer received.</returns>
    public static async Task<TimeSpan> RunAsync(int loops, TimeSpan duration, Func<int, long, Task> step)
    {
        var watch = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, loops).Select(loop => Task.Run(async () =>
        {
            for (long iteration = 0; watch.Elapsed < duration; iteration++)
            {
                await step(loop, iteration);
            }
        }));
        await Task.WhenAll(tasks);
        return watch.Elapsed;
    }

    /// <summary>Reads a value every <paramref name="interval"/> until <paramref name="stop"/> is cancelled.</summary>
    public static async Task<List<(TimeSpan At, T Value)>> SampleAsync<T>(Func<T> read, TimeSpan interval, CancellationToken stop)
    {
        var samples = new List<(TimeSpan, T)>();
        var watch = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            samples.Add((watch.Elapsed, read()));
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        samples.Add((watch.Elapsed, read()));
        return samples;
    }
}
