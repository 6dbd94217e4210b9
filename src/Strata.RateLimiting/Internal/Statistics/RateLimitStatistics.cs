using System.Collections.Concurrent;

namespace Strata.RateLimiting.Internal.Statistics;

/// <summary>
/// Counts the decisions of one runtime (one host) per policy, for <see cref="IRateLimitingMonitor"/>. Called on every
/// decision: one lock-free dictionary lookup by policy name, one clock read, a few <see cref="Interlocked"/>
/// increments; no lock. Limiters of one name (a policy, or limiters from <see cref="IRateLimiterFactory"/>) count together.
/// </summary>
internal sealed class RateLimitStatistics(TimeProvider timeProvider)
{
    public const int TopCount = 10;

    private readonly ConcurrentDictionary<string, PolicyCounters> _byName = new(StringComparer.Ordinal);
    private long _denyCacheHits;

    public long DenyCacheHits => Volatile.Read(ref _denyCacheHits);

    /// <summary>A decision that was enforced: admitted or denied (<paramref name="fromDenyCache"/>: answered by the deny cache).</summary>
    public void Decided(PolicyDefinition policy, string partition, bool allowed, bool fromDenyCache = false)
    {
        var counters = For(policy);
        var bucket = counters.Minutes.For(CurrentMinute());
        Interlocked.Increment(ref bucket.Decisions);
        if (allowed)
        {
            return;
        }

        Interlocked.Increment(ref bucket.Denied);
        if (fromDenyCache)
        {
            Interlocked.Increment(ref bucket.DenyCacheHits);
            Interlocked.Increment(ref _denyCacheHits);
        }

        counters.Denied.Add(partition);
    }

    /// <summary>A request a policy in shadow mode would have denied and let through.</summary>
    public void ShadowDenied(PolicyDefinition policy)
    {
        var bucket = For(policy).Minutes.For(CurrentMinute());
        Interlocked.Increment(ref bucket.Decisions);
        Interlocked.Increment(ref bucket.ShadowDenied);
    }

    public RateLimitPolicyStatistics Read(string policyName)
    {
        var now = CurrentMinute();
        var counters = _byName.GetValueOrDefault(policyName);
        var buckets = counters?.Minutes.Snapshot(now) ?? new MinuteBucket?[MinuteRing.Length];
        var minutes = new RateLimitMinute[buckets.Length];
        for (var i = 0; i < buckets.Length; i++)
        {
            var start = new DateTimeOffset((now - MinuteRing.Length + 1 + i) * TimeSpan.TicksPerMinute, TimeSpan.Zero);
            var b = buckets[i];
            minutes[i] = b is null
                ? new RateLimitMinute(start, 0, 0, 0, 0)
                : new RateLimitMinute(start, Volatile.Read(ref b.Decisions), Volatile.Read(ref b.Denied), Volatile.Read(ref b.ShadowDenied), Volatile.Read(ref b.DenyCacheHits));
        }

        return new RateLimitPolicyStatistics(policyName, minutes, counters?.Denied.Top(TopCount) ?? [], counters?.Denied.Count ?? 0);
    }

    private long CurrentMinute() => timeProvider.GetUtcNow().UtcTicks / TimeSpan.TicksPerMinute;

    private PolicyCounters For(PolicyDefinition policy) =>
        _byName.TryGetValue(policy.Name, out var counters) ? counters : _byName.GetOrAdd(policy.Name, static name => new PolicyCounters(name));
}
