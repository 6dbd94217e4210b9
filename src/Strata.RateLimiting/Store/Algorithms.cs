namespace Strata.RateLimiting.Store;

/// <summary>
/// The algorithms in C#, the same arithmetic as the Redis script (Scripts/decide.lua in
/// Strata.RateLimiting.Redis) so both stores give the same answers. Time is in microseconds.
/// </summary>
internal static class Algorithms
{
    // Guards floor() against representation error (2.9999999 permits are 3).
    private const double Epsilon = 1e-6;

    /// <summary>Evaluates one rate limit (not concurrency) for <paramref name="cost"/> permits at <paramref name="now"/>.</summary>
    public static StoreLimitResult Evaluate(in StoreLimit spec, ref LimitState state, double now, int cost)
    {
        return spec.Algorithm switch
        {
            RateLimitAlgorithm.Gcra => Gcra(spec, ref state, now, cost),
            RateLimitAlgorithm.TokenBucket => TokenBucket(spec, ref state, now, cost),
            RateLimitAlgorithm.FixedWindow => FixedWindow(spec, ref state, now, cost),
            RateLimitAlgorithm.SlidingWindow => SlidingWindow(spec, ref state, now, cost),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Algorithm, "Not a rate algorithm."),
        };
    }

    private static StoreLimitResult Gcra(in StoreLimit spec, ref LimitState state, double now, int cost)
    {
        double period = spec.PeriodMicros;
        var interval = period / spec.Limit;
        var tat = state.Exists ? Math.Max(state.A, now) : now;
        var newTat = tat + (cost * interval);
        var allowAt = newTat - period;
        if (now + Epsilon < allowAt)
        {
            var remainingNow = Math.Max(0, Math.Floor(((period - (tat - now)) / interval) + Epsilon));
            return new StoreLimitResult(false, (long)remainingNow, Ceil(tat - now), Ceil(allowAt - now));
        }

        state.Exists = true;
        state.A = newTat;
        state.ExpiresAt = newTat;
        var remaining = Math.Max(0, Math.Floor(((period - (newTat - now)) / interval) + Epsilon));
        return new StoreLimitResult(true, (long)remaining, Ceil(newTat - now), 0);
    }

    private static StoreLimitResult TokenBucket(in StoreLimit spec, ref LimitState state, double now, int cost)
    {
        var rate = (double)spec.TokensPerPeriod / spec.PeriodMicros;
        var tokens = state.Exists ? Math.Min(spec.Limit, state.A + (Math.Max(0, now - state.B) * rate)) : spec.Limit;
        if (tokens + Epsilon < cost)
        {
            return new StoreLimitResult(false, (long)Math.Floor(tokens + Epsilon), Ceil((spec.Limit - tokens) / rate), Ceil((cost - tokens) / rate));
        }

        tokens = Math.Max(0, tokens - cost);
        var toFull = (spec.Limit - tokens) / rate;
        state.Exists = true;
        state.A = tokens;
        state.B = now;
        state.ExpiresAt = now + toFull;
        return new StoreLimitResult(true, (long)Math.Floor(tokens + Epsilon), Ceil(toFull), 0);
    }

    private static StoreLimitResult FixedWindow(in StoreLimit spec, ref LimitState state, double now, int cost)
    {
        var window = (long)Math.Floor(now / spec.PeriodMicros);
        var count = state.Exists && state.W == window ? state.A : 0;
        var end = (double)(window + 1) * spec.PeriodMicros;
        if (count + cost > spec.Limit)
        {
            return new StoreLimitResult(false, (long)Math.Max(0, spec.Limit - count), Ceil(end - now), Ceil(end - now));
        }

        count += cost;
        state.Exists = true;
        state.W = window;
        state.A = count;
        state.ExpiresAt = end;
        return new StoreLimitResult(true, (long)(spec.Limit - count), Ceil(end - now), 0);
    }

    private static StoreLimitResult SlidingWindow(in StoreLimit spec, ref LimitState state, double now, int cost)
    {
        double period = spec.PeriodMicros;
        var window = (long)Math.Floor(now / period);
        double previous = 0, current = 0;
        if (state.Exists && state.W == window)
        {
            previous = state.B;
            current = state.A;
        }
        else if (state.Exists && state.W == window - 1)
        {
            previous = state.A;
        }

        var elapsed = now - (window * period);
        var estimate = (previous * (1 - (elapsed / period))) + current;
        var toWindowEnd = period - elapsed;
        if (estimate + cost > spec.Limit + Epsilon)
        {
            double retry;
            if (current + cost <= spec.Limit && previous > 0)
            {
                // Later in this window, once enough of the previous window has slid out.
                var at = period * (1 - ((spec.Limit - current - cost) / previous));
                retry = Math.Max(0, at - elapsed);
            }
            else
            {
                // In the next window, where this window's count becomes the previous one.
                var at = current > 0 ? Math.Max(0, period * (1 - ((spec.Limit - cost) / current))) : 0;
                retry = toWindowEnd + at;
            }

            return new StoreLimitResult(false, (long)Math.Max(0, Math.Floor(spec.Limit - estimate + Epsilon)), Ceil(toWindowEnd), Math.Max(1, Ceil(retry)));
        }

        current += cost;
        state.Exists = true;
        state.W = window;
        state.A = current;
        state.B = previous;
        state.ExpiresAt = now + toWindowEnd + period;
        return new StoreLimitResult(true, (long)Math.Max(0, Math.Floor(spec.Limit - estimate - cost + Epsilon)), Ceil(toWindowEnd), 0);
    }

    private static long Ceil(double micros) => micros <= 0 ? 0 : (long)Math.Ceiling(micros - Epsilon);
}
