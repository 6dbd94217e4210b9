namespace Strata.RateLimiting.Store;

/// <summary>
/// The state of one limit for one partition. Each algorithm uses the fields it needs:
/// GCRA <c>A</c> = theoretical arrival time; token bucket <c>A</c> = tokens, <c>B</c> = last refill;
/// windows <c>W</c> = window index, <c>A</c> = current count, <c>B</c> = previous count.
/// </summary>
internal struct LimitState
{
    public bool Exists;
    public double A;
    public double B;
    public long W;

    /// <summary>When the state may be forgotten (microseconds since the epoch).</summary>
    public double ExpiresAt;
}
