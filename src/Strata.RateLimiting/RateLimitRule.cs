namespace Strata.RateLimiting;

/// <summary>
/// One limit: an algorithm, a number of permits and a period. Rules are immutable; create them with
/// <see cref="Gcra"/>, <see cref="TokenBucket"/>, <see cref="FixedWindow"/>, <see cref="SlidingWindow"/>
/// or <see cref="Concurrency"/>.
/// </summary>
public sealed class RateLimitRule
{
    private static readonly TimeSpan MinimumPeriod = TimeSpan.FromMilliseconds(1);

    private RateLimitRule(RateLimitAlgorithm algorithm, int limit, TimeSpan period, int tokensPerPeriod, string? name)
    {
        Algorithm = algorithm;
        Limit = limit;
        Period = period;
        TokensPerPeriod = tokensPerPeriod;
        Name = name;
    }

    /// <summary>The algorithm.</summary>
    public RateLimitAlgorithm Algorithm { get; }

    /// <summary>The permits per period (GCRA, windows), the bucket size (token bucket) or the permits held at once (concurrency).</summary>
    public int Limit { get; }

    /// <summary>The period (GCRA, token bucket), the window (fixed, sliding) or the lifetime of a permit (concurrency).</summary>
    public TimeSpan Period { get; }

    /// <summary>The tokens added per <see cref="Period"/> (token bucket); equal to <see cref="Limit"/> for the other algorithms.</summary>
    public int TokensPerPeriod { get; }

    /// <summary>The name of this limit in the <c>RateLimit</c> and <c>RateLimit-Policy</c> headers; null to use the policy name.</summary>
    public string? Name { get; }

    /// <summary>GCRA: <paramref name="limit"/> permits per <paramref name="period"/>, spaced evenly, with a burst of up to <paramref name="limit"/>.</summary>
    /// <param name="limit">Permits per period; at least 1.</param>
    /// <param name="period">The period; at least 1 ms.</param>
    public static RateLimitRule Gcra(int limit, TimeSpan period) =>
        new(RateLimitAlgorithm.Gcra, CheckLimit(limit, nameof(limit)), CheckPeriod(period, nameof(period)), limit, null);

    /// <summary>Token bucket: up to <paramref name="tokenLimit"/> tokens, refilled continuously at <paramref name="tokensPerPeriod"/> per <paramref name="period"/>.</summary>
    /// <param name="tokenLimit">The bucket size; at least 1.</param>
    /// <param name="tokensPerPeriod">Tokens added per period; at least 1.</param>
    /// <param name="period">The refill period; at least 1 ms.</param>
    public static RateLimitRule TokenBucket(int tokenLimit, int tokensPerPeriod, TimeSpan period) =>
        new(RateLimitAlgorithm.TokenBucket, CheckLimit(tokenLimit, nameof(tokenLimit)), CheckPeriod(period, nameof(period)), CheckLimit(tokensPerPeriod, nameof(tokensPerPeriod)), null);

    /// <summary>Fixed window: <paramref name="limit"/> permits per <paramref name="window"/>.</summary>
    /// <param name="limit">Permits per window; at least 1.</param>
    /// <param name="window">The window; at least 1 ms.</param>
    public static RateLimitRule FixedWindow(int limit, TimeSpan window) =>
        new(RateLimitAlgorithm.FixedWindow, CheckLimit(limit, nameof(limit)), CheckPeriod(window, nameof(window)), limit, null);

    /// <summary>Approximated sliding window: <paramref name="limit"/> permits in any <paramref name="window"/>, estimated from two counters.</summary>
    /// <param name="limit">Permits per window; at least 1.</param>
    /// <param name="window">The window; at least 1 ms.</param>
    public static RateLimitRule SlidingWindow(int limit, TimeSpan window) =>
        new(RateLimitAlgorithm.SlidingWindow, CheckLimit(limit, nameof(limit)), CheckPeriod(window, nameof(window)), limit, null);

    /// <summary>Concurrency: at most <paramref name="limit"/> permits held at once; a permit not released within <paramref name="permitLifetime"/> expires.</summary>
    /// <param name="limit">Permits held at once; at least 1.</param>
    /// <param name="permitLifetime">How long a permit lives when it is never released (a crashed node); at least 1 ms.</param>
    public static RateLimitRule Concurrency(int limit, TimeSpan permitLifetime) =>
        new(RateLimitAlgorithm.Concurrency, CheckLimit(limit, nameof(limit)), CheckPeriod(permitLifetime, nameof(permitLifetime)), limit, null);

    /// <summary>Returns a copy of this rule named <paramref name="name"/> in the rate-limit headers.</summary>
    /// <param name="name">A short name, for example <c>daily</c>: letters, digits, <c>-</c>, <c>_</c> and <c>.</c>.</param>
    public RateLimitRule WithName(string name)
    {
        RateLimitNames.ThrowIfInvalid(name, nameof(name));
        return new(Algorithm, Limit, Period, TokensPerPeriod, name);
    }

    /// <summary>A copy with another limit (per-partition overrides, fallback shares); the token refill rate scales with it.</summary>
    internal RateLimitRule WithLimit(int limit)
    {
        if (limit == Limit)
        {
            return this;
        }

        var tokens = Algorithm == RateLimitAlgorithm.TokenBucket
            ? (int)Math.Max(1, Math.Round((double)TokensPerPeriod * limit / Limit))
            : limit;
        return new(Algorithm, Math.Max(1, limit), Period, tokens, Name);
    }

    /// <inheritdoc />
    public override string ToString() => Algorithm == RateLimitAlgorithm.TokenBucket
        ? $"{Algorithm}({Limit}, {TokensPerPeriod}/{Period})"
        : $"{Algorithm}({Limit}/{Period})";

    /// <summary>A count (limit, tokens) of at least 1; the message names the setting, the range and, when known, the policy.</summary>
    internal static int CheckLimit(int value, string name, string? policy = null)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, Prefix(policy) + $"{name} must be at least 1, but was {value}.");
        }

        return value;
    }

    /// <summary>A period, window or lifetime of at least 1 ms; the message names the setting, the range and, when known, the policy.</summary>
    internal static TimeSpan CheckPeriod(TimeSpan value, string name, string? policy = null)
    {
        if (value < MinimumPeriod)
        {
            throw new ArgumentOutOfRangeException(name, value, Prefix(policy) + $"{name} must be at least 1 ms, but was {value}.");
        }

        return value;
    }

    private static string Prefix(string? policy) => policy is null ? string.Empty : $"Rate-limit policy '{policy}': ";
}
