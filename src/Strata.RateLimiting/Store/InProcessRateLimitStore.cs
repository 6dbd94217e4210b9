namespace Strata.RateLimiting.Store;

/// <summary>
/// Limiter state in this process: for single-node hosts, for tests, and as the fallback of a
/// distributed store. Decisions are synchronous; the limits of one request are decided under one
/// lock (its partition's stripe), so several limits are all or nothing. Expired state is swept.
/// </summary>
internal sealed class InProcessRateLimitStore : IRateLimitStore
{
    private const int StripeCount = 64;
    private static readonly long SweepIntervalMicros = TimeSpan.FromSeconds(10).Ticks / 10;

    private readonly TimeProvider _timeProvider;
    private readonly Stripe[] _stripes;

    public InProcessRateLimitStore(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _stripes = new Stripe[StripeCount];
        for (var i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new Stripe();
        }
    }

    public string Name => "in_process";

    public string Description => "in-process store (this node only)";

    public bool IsDistributed => false;

    /// <summary>The number of partitions' limits currently held (for tests and statistics).</summary>
    public int Count
    {
        get
        {
            var count = 0;
            foreach (var stripe in _stripes)
            {
                lock (stripe)
                {
                    count += stripe.Limits.Count + stripe.Permits.Count;
                }
            }

            return count;
        }
    }

    /// <summary>Microseconds since the Unix epoch, from the <see cref="TimeProvider"/>.</summary>
    public double NowMicros => (_timeProvider.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10.0;

    public bool TryDecide(StoreRequest request, out StoreDecision decision)
    {
        decision = Decide(request);
        return true;
    }

    public ValueTask<StoreDecision> DecideAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<StoreDecision>(Decide(request));
    }

    public ValueTask ReleaseAsync(StoreRequest request)
    {
        Release(request);
        return default;
    }

    public void Release(StoreRequest request)
    {
        if (request.LeaseId is null)
        {
            return;
        }

        var stripe = StripeOf(request);
        lock (stripe)
        {
            for (var i = 0; i < request.Limits.Length; i++)
            {
                if (request.Limits[i].Algorithm == RateLimitAlgorithm.Concurrency
                    && stripe.Permits.TryGetValue(KeyOf(request, i), out var permits))
                {
                    permits.Remove(request.LeaseId);
                }
            }
        }
    }

    private StoreDecision Decide(StoreRequest request)
    {
        var now = NowMicros;
        var probe = request.Cost == 0;
        var cost = probe ? 1 : request.Cost;
        var limits = request.Limits;
        var results = new StoreLimitResult[limits.Length];
        var states = new LimitState[limits.Length];
        var allowed = true;
        var stripe = StripeOf(request);

        lock (stripe)
        {
            SweepIfDue(stripe, now);
            for (var i = 0; i < limits.Length; i++)
            {
                if (limits[i].Algorithm == RateLimitAlgorithm.Concurrency)
                {
                    var used = 0L;
                    if (stripe.Permits.TryGetValue(KeyOf(request, i), out var permits))
                    {
                        used = UsedPermits(permits, now);
                    }

                    var ok = used + cost <= limits[i].Limit;
                    results[i] = new StoreLimitResult(ok, Math.Max(0, limits[i].Limit - used - (ok ? cost : 0)), 0, 0);
                }
                else
                {
                    var key = KeyOf(request, i);
                    states[i] = stripe.Limits.TryGetValue(key, out var existing) && existing.ExpiresAt > now ? existing : default;
                    results[i] = Algorithms.Evaluate(limits[i], ref states[i], now, cost);
                }

                allowed &= results[i].Allowed;
            }

            if (allowed && !probe)
            {
                for (var i = 0; i < limits.Length; i++)
                {
                    var key = KeyOf(request, i);
                    if (limits[i].Algorithm == RateLimitAlgorithm.Concurrency)
                    {
                        if (!stripe.Permits.TryGetValue(key, out var permits))
                        {
                            permits = new Dictionary<string, (int Cost, double ExpiresAt)>(StringComparer.Ordinal);
                            stripe.Permits[key] = permits;
                        }

                        permits[request.LeaseId ?? throw new InvalidOperationException("A concurrency limit needs a lease id.")] = (cost, now + limits[i].PeriodMicros);
                    }
                    else
                    {
                        stripe.Limits[key] = states[i];
                    }
                }
            }
        }

        if (!allowed || probe)
        {
            // Nothing was taken: limits that would have admitted the request report what they still have.
            for (var i = 0; i < results.Length; i++)
            {
                if (results[i].Allowed)
                {
                    results[i] = results[i] with { Remaining = Math.Min(limits[i].Limit, results[i].Remaining + cost) };
                }
            }
        }

        return new StoreDecision(allowed, results);
    }

    private static long UsedPermits(Dictionary<string, (int Cost, double ExpiresAt)> permits, double now)
    {
        long used = 0;
        List<string>? expired = null;
        foreach (var (id, permit) in permits)
        {
            if (permit.ExpiresAt <= now)
            {
                (expired ??= []).Add(id);
            }
            else
            {
                used += permit.Cost;
            }
        }

        if (expired is not null)
        {
            foreach (var id in expired)
            {
                permits.Remove(id);
            }
        }

        return used;
    }

    private static void SweepIfDue(Stripe stripe, double now)
    {
        if (now < stripe.NextSweep)
        {
            return;
        }

        stripe.NextSweep = now + SweepIntervalMicros;
        List<string>? expired = null;
        foreach (var (key, state) in stripe.Limits)
        {
            if (state.ExpiresAt <= now)
            {
                (expired ??= []).Add(key);
            }
        }

        foreach (var (key, permits) in stripe.Permits)
        {
            if (UsedPermits(permits, now) == 0 && permits.Count == 0)
            {
                (expired ??= []).Add(key);
            }
        }

        if (expired is not null)
        {
            foreach (var key in expired)
            {
                stripe.Limits.Remove(key);
                stripe.Permits.Remove(key);
            }
        }
    }

    private Stripe StripeOf(StoreRequest request)
    {
        var hash = HashCode.Combine(StringComparer.Ordinal.GetHashCode(request.Policy), StringComparer.Ordinal.GetHashCode(request.Partition));
        return _stripes[(int)((uint)hash % StripeCount)];
    }

    private static string KeyOf(StoreRequest request, int index) =>
        string.Concat(request.Policy, "\u0001", request.Partition, "\u0001", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private sealed class Stripe
    {
        public readonly Dictionary<string, LimitState> Limits = new(StringComparer.Ordinal);
        public readonly Dictionary<string, Dictionary<string, (int Cost, double ExpiresAt)>> Permits = new(StringComparer.Ordinal);
        public double NextSweep;
    }
}
