using System.Runtime.CompilerServices;
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
internal sealed class StoreRateLimiter : RateLimiter
{
    private readonly RateLimitRuntime _runtime;
    private readonly PolicyDefinition _policy;
    private readonly string _partition;
    private readonly Store.PartitionSlot _slot = new();
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
        var rules = Prepare(permitCount, out var context);

        // Called from the middleware (a bound request), a failed attempt is followed by AcquireAsync: decide rejections there, once.
        var outcome = _runtime.TryAcquire(_policy, _partition, rules, permitCount, deferRejection: context is not null);
        return outcome is { } decided ? Track(decided, context) : StoreLease.Deferred;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        var rules = Prepare(permitCount, out var context);
        var outcome = await _runtime.AcquireAsync(_policy, _partition, rules, permitCount, cancellationToken, _slot).ConfigureAwait(false);
        return Track(outcome, context);
    }

    protected override void Dispose(bool disposing)
    {
        Interlocked.Exchange(ref _disposed, 1);
        base.Dispose(disposing);
    }

    private RateLimitRule[] Prepare(int permitCount, out Microsoft.AspNetCore.Http.HttpContext? context)
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

        Volatile.Write(ref _lastUsed, _runtime.TimeProvider.GetTimestamp());
        return rules;
    }

    private StoreLease Track(Outcome outcome, Microsoft.AspNetCore.Http.HttpContext? context)
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

        return new StoreLease(decision, release);
    }
}
