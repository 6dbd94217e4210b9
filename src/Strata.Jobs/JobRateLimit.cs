namespace Strata.Jobs;

/// <summary>At most <see cref="Permits"/> job starts in any <see cref="Window"/>, across every host that shares the backend.</summary>
public sealed record JobRateLimit
{
    /// <summary>Makes a limit.</summary>
    /// <param name="permits">Starts allowed in any window, at least 1.</param>
    /// <param name="window">The sliding window's length, more than zero.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public JobRateLimit(int permits, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permits, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        Permits = permits;
        Window = window;
    }

    /// <summary>Starts allowed in any window.</summary>
    public int Permits { get; }

    /// <summary>The sliding window's length.</summary>
    public TimeSpan Window { get; }
}
