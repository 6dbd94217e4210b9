using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Strata.ApiKeys.Internal;

/// <summary>The package's Meter and ActivitySource.</summary>
internal sealed class ApiKeyDiagnostics : IDisposable
{
    public const string Name = "Strata.ApiKeys";
    public const string ResultTag = "strata.apikeys.result";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _authentications;
    private readonly Counter<long> _lookups;
    private readonly Histogram<double> _lookupDuration;

    public ApiKeyDiagnostics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        _authentications = _meter.CreateCounter<long>("strata.apikeys.authentications", "{authentication}", "API-key authentication attempts, by result.");
        _lookups = _meter.CreateCounter<long>("strata.apikeys.store.lookups", "{lookup}", "Key lookups that reached the store (cache misses).");
        _lookupDuration = _meter.CreateHistogram<double>("strata.apikeys.store.lookup.duration", "s", "Duration of key lookups in the store.");
    }

    public void Authentication(string result)
    {
        if (_authentications.Enabled)
        {
            _authentications.Add(1, new KeyValuePair<string, object?>(ResultTag, result));
        }
    }

    public void Lookup(TimeSpan elapsed, bool found, bool failed)
    {
        var result = failed ? "error" : found ? "found" : "not_found";
        if (_lookups.Enabled)
        {
            _lookups.Add(1, new KeyValuePair<string, object?>(ResultTag, result));
        }

        if (_lookupDuration.Enabled)
        {
            _lookupDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(ResultTag, result));
        }
    }

    public void Dispose() => _meter.Dispose();
}
