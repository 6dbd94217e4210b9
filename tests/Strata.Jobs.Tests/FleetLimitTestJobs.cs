using System.Collections.Concurrent;
using System.Diagnostics;

namespace Strata.Jobs.Tests;

/// <summary>A job for the fleet-limit tests: its handler counts itself in and out and records when it started.</summary>
/// <param name="Key">Tells jobs apart.</param>
/// <param name="Milliseconds">How long the handler takes.</param>
public sealed record LimitedJob(string Key, int Milliseconds);

/// <summary>What the <see cref="LimitedHandler"/>s saw: how many ran at once, and when each started.</summary>
public sealed class LimitRecorder
{
    private int _running;
    private int _maxRunning;

    /// <summary>The most handlers that ran at once.</summary>
    public int MaxRunning => Volatile.Read(ref _maxRunning);

    /// <summary>Each handler's start, as a <see cref="Stopwatch"/> timestamp.</summary>
    public ConcurrentQueue<long> Starts { get; } = new();

    /// <summary>The attempt each handler ran, by key.</summary>
    public ConcurrentDictionary<string, int> Attempts { get; } = new();

    /// <summary>Forgets what was recorded (after a warm-up job).</summary>
    public void Clear()
    {
        Starts.Clear();
        Attempts.Clear();
        ResetMax();
    }

    /// <summary>Starts the next handler count from zero (the highest seen so far is returned).</summary>
    public int ResetMax() => Interlocked.Exchange(ref _maxRunning, Volatile.Read(ref _running));

    /// <summary>The most handler starts in any window of <paramref name="window"/>.</summary>
    public int MostStartsWithin(TimeSpan window)
    {
        var starts = Starts.Order().ToArray();
        var most = 0;
        for (int first = 0, last = 0; last < starts.Length; last++)
        {
            while (Stopwatch.GetElapsedTime(starts[first], starts[last]) >= window)
            {
                first++;
            }

            most = Math.Max(most, last - first + 1);
        }

        return most;
    }

    internal void Entered(string key, int attempt)
    {
        Starts.Enqueue(Stopwatch.GetTimestamp());
        Attempts[key] = attempt;
        var now = Interlocked.Increment(ref _running);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen)
        {
        }
    }

    internal void Left() => Interlocked.Decrement(ref _running);
}

/// <summary>Runs a <see cref="LimitedJob"/>.</summary>
/// <param name="recorder">The test's recorder.</param>
public sealed class LimitedHandler(LimitRecorder recorder) : IJobHandler<LimitedJob>
{
    /// <inheritdoc />
    public async Task HandleAsync(LimitedJob job, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        recorder.Entered(job.Key, context.Attempt);
        try
        {
            await Task.Delay(job.Milliseconds, context.CancellationToken);
        }
        finally
        {
            recorder.Left();
        }
    }
}
