namespace Strata.RateLimiting.Store;

/// <summary>One limit of a <see cref="StoreRequest"/>, in the store's units: permits and microseconds.</summary>
/// <param name="Algorithm">How the limit counts.</param>
/// <param name="Limit">Permits per period (GCRA, windows), bucket size (token bucket) or permits held at once (concurrency).</param>
/// <param name="PeriodMicros">The period (GCRA), window (fixed, sliding), refill period (token bucket) or lease lifetime (concurrency), in microseconds.</param>
/// <param name="TokensPerPeriod">Tokens added per period (token bucket); 0 for the other algorithms.</param>
public readonly record struct StoreLimit(RateLimitAlgorithm Algorithm, long Limit, long PeriodMicros, long TokensPerPeriod)
{
    /// <summary>The store limit of a rule: the same algorithm and counts, its period in microseconds.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>The limit.</returns>
    public static StoreLimit From(RateLimitRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return new(rule.Algorithm, rule.Limit, rule.Period.Ticks / 10, rule.TokensPerPeriod);
    }
}
