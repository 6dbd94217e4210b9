namespace Strata.RateLimiting.Internal;

/// <summary>
/// Stops calling a failing store: after <c>failureThreshold</c> failures in a row the circuit opens
/// for <c>breakDuration</c>; then one probe goes through, and its success closes the circuit
/// (recovery without a restart) while its failure opens it again.
/// </summary>
internal sealed class CircuitBreaker(int failureThreshold, TimeSpan breakDuration, TimeProvider timeProvider)
{
    private readonly object _gate = new();
    private int _failures;
    private long _openUntil;
    private volatile bool _open;
    private bool _probing;

    // The fast paths below read these without the lock: a closed circuit with no failures is the steady state,
    // and every decision passes TryEnter and OnSuccess. A stale read only sends one more call to the store.
    private volatile bool _clean = true;

    public bool IsOpen => _open;

    /// <summary>True when a call may go to the store (closed, or this caller is the half-open probe).</summary>
    public bool TryEnter()
    {
        if (!_open)
        {
            return true;
        }

        lock (_gate)
        {
            if (!_open)
            {
                return true;
            }

            if (_probing || timeProvider.GetTimestamp() < _openUntil)
            {
                return false;
            }

            _probing = true;
            _clean = false;
            return true;
        }
    }

    /// <summary>The time until the next probe, for Retry-After when failing closed.</summary>
    public TimeSpan RemainingBreak
    {
        get
        {
            lock (_gate)
            {
                if (!_open)
                {
                    return TimeSpan.Zero;
                }

                var remaining = _openUntil - timeProvider.GetTimestamp();
                return remaining <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)remaining / timeProvider.TimestampFrequency);
            }
        }
    }

    /// <summary>Records a success; returns true when it closed an open circuit.</summary>
    public bool OnSuccess()
    {
        if (_clean)
        {
            return false;
        }

        lock (_gate)
        {
            _failures = 0;
            _probing = false;
            _clean = true;
            if (_open)
            {
                _open = false;
                return true;
            }

            return false;
        }
    }

    /// <summary>A call ended by its caller: neither success nor failure; a probe may be sent again.</summary>
    public void OnCanceled()
    {
        lock (_gate)
        {
            _probing = false;
        }
    }

    /// <summary>Records a failure; returns true when it opened the circuit.</summary>
    public bool OnFailure()
    {
        lock (_gate)
        {
            _clean = false;
            _failures++;
            var wasProbe = _probing;
            _probing = false;
            if (wasProbe || (!_open && _failures >= failureThreshold))
            {
                var opening = !_open;
                _open = true;
                _openUntil = timeProvider.GetTimestamp() + (long)(breakDuration.TotalSeconds * timeProvider.TimestampFrequency);
                return opening;
            }

            return false;
        }
    }
}
