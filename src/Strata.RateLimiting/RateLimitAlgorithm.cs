namespace Strata.RateLimiting;

/// <summary>The algorithm a <see cref="RateLimitRule"/> counts with.</summary>
public enum RateLimitAlgorithm
{
    /// <summary>Generic cell rate algorithm: <c>limit</c> permits per period, a burst of up to <c>limit</c>, one timestamp of state.</summary>
    Gcra = 0,

    /// <summary>Token bucket: a bucket of <c>limit</c> tokens refilled continuously at <c>tokensPerPeriod</c> per period.</summary>
    TokenBucket = 1,

    /// <summary>Fixed window: <c>limit</c> permits per window; windows are aligned to the Unix epoch.</summary>
    FixedWindow = 2,

    /// <summary>Approximated sliding window: two counters (previous and current window), the previous one weighted by overlap.</summary>
    SlidingWindow = 3,

    /// <summary>Concurrency: at most <c>limit</c> permits held at once; each permit expires after its lifetime even when never released.</summary>
    Concurrency = 4,
}
