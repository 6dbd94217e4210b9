namespace Strata.RateLimiting.Store;

/// <summary>The outcome of one <see cref="StoreLimit"/>.</summary>
/// <param name="Allowed">True when this limit admits the request.</param>
/// <param name="Remaining">Permits left after the decision.</param>
/// <param name="ResetMicros">Microseconds until the limit is back to full (or the window ends).</param>
/// <param name="RetryMicros">When rejected: microseconds until the same request would be admitted; 0 when unknown (concurrency).</param>
public readonly record struct StoreLimitResult(bool Allowed, long Remaining, long ResetMicros, long RetryMicros);
