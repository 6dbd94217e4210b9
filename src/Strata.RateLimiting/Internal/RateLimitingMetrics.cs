using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Strata.RateLimiting.Internal;

/// <summary>The instruments of the <c>Strata.RateLimiting</c> meter.</summary>
internal sealed class RateLimitingMetrics : IDisposable
{
    public const string MeterName = "Strata.RateLimiting";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _storeDuration;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _denyCacheHits;

    public RateLimitingMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _decisions = _meter.CreateCounter<long>("strata.ratelimiting.decisions", "{decision}", "Rate-limit decisions by policy and result.");
        _storeDuration = _meter.CreateHistogram<double>("strata.ratelimiting.store.duration", "s", "Time the store took to decide, one round trip for Redis.");
        _fallbacks = _meter.CreateCounter<long>("strata.ratelimiting.fallbacks", "{decision}", "Decisions taken by a failure mode because the store could not decide.");
        _denyCacheHits = _meter.CreateCounter<long>("strata.ratelimiting.deny_cache.hits", "{decision}", "Rejections answered by the local deny cache without a store round trip.");
    }

    /// <summary>Records a decision. Result: acquired, rejected, shadow_rejected.</summary>
    public void Decision(string policy, string result, string store)
    {
        if (_decisions.Enabled)
        {
            _decisions.Add(1, new TagList { { "policy", policy }, { "result", result }, { "store", store } });
        }
    }

    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    public void StoreDuration(string store, TimeSpan elapsed, bool failed)
    {
        if (_storeDuration.Enabled)
        {
            _storeDuration.Record(elapsed.TotalSeconds, new TagList { { "store", store }, { "error", failed ? BoxedTrue : BoxedFalse } });
        }
    }

    /// <summary>Records a decision taken by a failure mode (fallback, fail_open, fail_closed).</summary>
    public void Fallback(string policy, string mode)
    {
        if (_fallbacks.Enabled)
        {
            _fallbacks.Add(1, new TagList { { "policy", policy }, { "mode", mode } });
        }
    }

    public void DenyCacheHit(string policy)
    {
        if (_denyCacheHits.Enabled)
        {
            _denyCacheHits.Add(1, new KeyValuePair<string, object?>("policy", policy));
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
