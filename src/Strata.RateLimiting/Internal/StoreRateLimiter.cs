using System.Threading.RateLimiting;

namespace Strata.RateLimiting.Internal;

/// <summary>
/// The limiter of one policy for one partition. It holds no counts of its own: state lives in the
/// store, so limiters on many nodes (or many instances on one node) share one limit. A permit count
/// is the cost of a request. No queueing: a request is decided at once.
/// </summary>
/// <remarks>
/// With a distributed store, <see cref="RateLimiter.AttemptAcquire(int)"/> answers only from local
/// state (the deny cache or an open circuit) and otherwise returns a lease that is not acquired and
/// carries no metadata; ASP.NET Core's middleware then calls <see cref="RateLimiter.AcquireAsync(int, CancellationToken)"/>.
/// </remarks>
internal sealed class StoreRateLimiter : RateLimiter, IOutcomeTracker
{
    private readonly RateLimitRuntime _runtime;
    private readonly PolicyDefinition _policy;
    private readonly string _partition;
    private readonly Store.PartitionSlot _slot = new();
    private StoreLease? _denied;
    private long _successful;
    private long _failed;
    private long _lastRemaining;
    private long _lastUsed;
    private int _held;
    private int _disposed;

    public StoreRateLimiter(RateLimitRuntime runtime, PolicyDefinition policy, string partition)
    {
        _runtime = runtime;
        _policy = policy;
        _partition = partition ?? string.Empty;
        _lastRemaining = policy.Rules.Min(r => r.Limit);
        _lastUsed = runtime.TimeProvider.GetTimestamp();
    }

    public string Partition => _partition;

    public PolicyDefinition Policy => _policy;

    public override TimeSpan? IdleDuration =>
        Volatile.Read(ref _held) > 0 ? null : _runtime.TimeProvider.GetElapsedTime(Volatile.Read(ref _lastUsed));

    /// <summary>Counts of this instance and the permits left at its last decision; never calls the store.</summary>
    public override RateLimiterStatistics? GetStatistics()
    {
        ObjectDisposedException.ThrowIf(_disposed == 1, this);
        return new RateLimiterStatistics
        {
            CurrentAvailablePermits = Volatile.Read(ref _lastRemaining),
            CurrentQueuedCount = 0,
            TotalFailedLeases = Volatile.Read(ref _failed),
            TotalSuccessfulLeases = Volatile.Read(ref _successful),
        };
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        var rules = Prepare(permitCount, out var context, out var now);
        if (context is null && DeniedLocally(rules, permitCount, now) is { } denied)
        {
            return denied;
        }

        // Called from the middleware (a bound request), a failed attempt is followed by AcquireAsync: decide rejections there, once.
        var outcome = _runtime.TryAcquire(_policy, _partition, rules, permitCount, deferRejection: context is not null);
        return outcome is { } decided ? Track(decided, permitCount, context) : StoreLease.Deferred;
    }

    /// <summary>
    /// A partition this limiter knows to be denied is answered here, synchronously, with the one lease kept for the
    /// deny period (no lookup, no allocation, no state machine); everything else goes to the runtime.
    /// </summary>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        var rules = Prepare(permitCount, out var context, out var now);
        return context is null && DeniedLocally(rules, permitCount, now) is { } denied
            ? new ValueTask<RateLimitLease>(denied)
            : _runtime.AcquireAsync(this, context, _policy, _partition, rules, permitCount, cancellationToken, _slot);
    }

    RateLimitLease IOutcomeTracker.Track(Outcome outcome, int cost, Microsoft.AspNetCore.Http.HttpContext? context) => Track(outcome, cost, context);

    /// <summary>
    /// The lease of the deny-cache entry this limiter holds, when it still covers the request: same rules (no override
    /// changed since), a cost at least the one rejected, before the deny time. Counted as a deny-cache hit.
    /// </summary>
    private StoreLease? DeniedLocally(RateLimitRule[] rules, int permitCount, long now)
    {
        var denied = Volatile.Read(ref _denied);
        if (denied is null || permitCount == 0 || permitCount < denied.DeniedCost || !ReferenceEquals(denied.Decision.Rules, rules))
        {
            return null;
        }

        if (now >= denied.DeniedUntil)
        {
            Interlocked.CompareExchange(ref _denied, null, denied);
            return null;
        }

        Interlocked.Increment(ref _failed);
        _runtime.RecordLocalDenial(_policy, _partition);
        return denied;
    }

    protected override void Dispose(bool disposing)
    {
        Interlocked.Exchange(ref _disposed, 1);
        base.Dispose(disposing);
    }

    private RateLimitRule[] Prepare(int permitCount, out Microsoft.AspNetCore.Http.HttpContext? context, out long now)
    {
        ObjectDisposedException.ThrowIf(_disposed == 1, this);
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        context = RequestBinding.Take(_policy, _partition, out var tier);
        var rules = _runtime.EffectiveRules(_policy, _partition, tier);
        foreach (var rule in rules)
        {
            if (permitCount > rule.Limit)
            {
                throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount,
                    $"{permitCount} permits exceed the limit of {rule.Limit} of rate-limit policy '{_policy.Name}'; such a request can never be admitted.");
            }
        }

        now = _runtime.TimeProvider.GetTimestamp();
        Volatile.Write(ref _lastUsed, now);
        return rules;
    }

    private StoreLease Track(Outcome outcome, int permitCount, Microsoft.AspNetCore.Http.HttpContext? context)
    {
        var decision = outcome.Decision;
        if (decision.Allowed)
        {
            Interlocked.Increment(ref _successful);
        }
        else
        {
            Interlocked.Increment(ref _failed);
        }

        var index = decision.MostRestrictive;
        if (index >= 0)
        {
            Volatile.Write(ref _lastRemaining, decision.Results[index].Remaining);
        }

        var release = outcome.Release;
        if (release is not null)
        {
            Interlocked.Increment(ref _held);
            var inner = release;
            release = () =>
            {
                Interlocked.Decrement(ref _held);
                inner();
            };
        }

        if (context is not null && !_policy.ShadowMode)
        {
            RateLimitResponses.Record(context, decision, _runtime.Options);
        }

        if (outcome.DeniedUntil != 0 && !decision.Allowed)
        {
            // The deny cache holds this rejection: keep one lease for the deny period, for every request until then.
            var lease = new StoreLease(decision, _runtime.TimeProvider, outcome.DeniedUntil, permitCount);
            Volatile.Write(ref _denied, lease);
            return lease;
        }

        return new StoreLease(decision, release);
    }
}
