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
    private bool _open;
    private bool _probing;

    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    /// <summary>True when a call may go to the store (closed, or this caller is the half-open probe).</summary>
    public bool TryEnter()
    {
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
        lock (_gate)
        {
            _failures = 0;
            _probing = false;
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
