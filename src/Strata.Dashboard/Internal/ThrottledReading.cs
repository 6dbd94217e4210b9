namespace Strata.Dashboard.Internal;

/// <summary>
/// One backend reading shared by the pages, throttled by its own cost so that a slow read (a count over a million rows
/// in a database) does not make every page slow nor load the store per page view:
/// <list type="bullet">
/// <item>a reading is reused for <see cref="ReuseFactor"/> times as long as it took to read, at most
/// <see cref="MaxReuse"/> (a read of 1 ms is reused for 50 ms, one of 200 ms for 10 s);</item>
/// <item>after that, a fast reading (it took under <see cref="SlowRead"/>) is read again before the page renders;</item>
/// <item>a slow one is served as it is while one refresh runs in the background, up to <see cref="MaxStale"/> old;</item>
/// <item>concurrent pages share one read in flight; <see cref="Invalidate"/> (after a dashboard action) forgets the reading.</item>
/// </list>
/// Pages show <see cref="Reading.At"/>, so an older reading says how old it is.
/// </summary>
/// <typeparam name="T">What is read.</typeparam>
internal sealed class ThrottledReading<T>(TimeProvider time)
    where T : class
{
    public const int ReuseFactor = 50;

    public static readonly TimeSpan MaxReuse = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan SlowRead = TimeSpan.FromMilliseconds(20);
    public static readonly TimeSpan MaxStale = TimeSpan.FromMinutes(1);

    private readonly object _gate = new();
    private Reading? _last;
    private Task<Reading>? _inFlight;

    /// <summary>A value, when it was read, and how long reading it took.</summary>
    public sealed record Reading(T Value, DateTimeOffset At, TimeSpan Took);

    public async Task<Reading> GetAsync(Func<CancellationToken, ValueTask<T>> read, CancellationToken cancellationToken)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null)
        {
            var age = time.GetUtcNow() - last.At;
            var reuse = TimeSpan.FromTicks(Math.Min(MaxReuse.Ticks, last.Took.Ticks * ReuseFactor));
            if (age < reuse)
            {
                return last;
            }

            if (last.Took >= SlowRead && age < MaxStale)
            {
                _ = Refresh(read);   // served as it is; the refresh's failure keeps the old reading
                return last;
            }
        }

        return await Refresh(read).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets the reading: the next page reads again.</summary>
    public void Invalidate() => Volatile.Write(ref _last, null);

    private Task<Reading> Refresh(Func<CancellationToken, ValueTask<T>> read)
    {
        lock (_gate)
        {
            if (_inFlight is { IsCompleted: false } running)
            {
                return running;
            }

            var refresh = Task.Run(() => ReadAsync(read));
            _ = refresh.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return _inFlight = refresh;
        }
    }

    private async Task<Reading> ReadAsync(Func<CancellationToken, ValueTask<T>> read)
    {
        var started = time.GetTimestamp();
        var value = await read(CancellationToken.None).ConfigureAwait(false);   // not the page's token: other pages may wait on it
        var reading = new Reading(value, time.GetUtcNow(), time.GetElapsedTime(started));
        Volatile.Write(ref _last, reading);
        return reading;
    }
}
