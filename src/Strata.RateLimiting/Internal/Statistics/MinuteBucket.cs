namespace Strata.RateLimiting.Internal.Statistics;

/// <summary>The counts of one policy in one minute; incremented with <see cref="Interlocked"/>, replaced (never reset) when its ring slot moves on.</summary>
internal sealed class MinuteBucket(long minute)
{
    public long Decisions;
    public long Denied;
    public long ShadowDenied;
    public long DenyCacheHits;

    /// <summary>The minute: UTC ticks divided by <see cref="TimeSpan.TicksPerMinute"/>.</summary>
    public long Minute { get; } = minute;
}
