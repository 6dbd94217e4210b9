using System.Diagnostics;

namespace Strata.RateLimiting.Redis;

/// <summary>
/// Bounds waits by a timeout without a timer per call: calls that start within one slice (an eighth of the
/// timeout) share one token, canceled one timeout plus one slice after the slice began. A call is therefore given
/// at least the timeout and at most an eighth more. Tokens are renewed lazily, under a lock taken once per slice.
/// </summary>
internal sealed class SharedTimeout
{
    private readonly TimeSpan _timeout;
    private readonly long _sliceTicks;
    private readonly TimeSpan _slice;
    private readonly object _gate = new();
    private Slice? _current;

    public SharedTimeout(TimeSpan timeout)
    {
        _timeout = timeout;
        _slice = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, timeout.Ticks / 8));
        _sliceTicks = (long)(_slice.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>A token canceled no sooner than the timeout from now (and no later than a slice after that).</summary>
    public CancellationToken Token
    {
        get
        {
            var now = Stopwatch.GetTimestamp();
            var current = Volatile.Read(ref _current);
            return current is not null && now < current.Ends ? current.Source.Token : Renew(now);
        }
    }

    private CancellationToken Renew(long now)
    {
        lock (_gate)
        {
            var current = _current;
            if (current is null || now >= current.Ends)
            {
                var source = new CancellationTokenSource();
                source.CancelAfter(_timeout + _slice);
                current = new Slice(source, now + _sliceTicks);
                Volatile.Write(ref _current, current);
            }

            return current.Source.Token;
        }
    }

    private sealed record Slice(CancellationTokenSource Source, long Ends);
}
