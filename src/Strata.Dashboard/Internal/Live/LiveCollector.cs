using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Dashboard.Internal.Live;

/// <summary>
/// Listens, in this process, to the instruments the Strata packages publish (read by meter and instrument name, no
/// package reference) and counts their measurements into a <see cref="LiveRing"/> of <see cref="Buckets"/> buckets
/// of <see cref="Resolution"/>: 15 minutes at 5 s. Only this host's meters are read (those its
/// <see cref="IMeterFactory"/> made, or made without a factory), so each host in a process sees its own numbers; the
/// charts show this node, not the fleet. Started by <c>MapStrataDashboard</c>, stopped when the host stops.
/// </summary>
internal sealed class LiveCollector : IDisposable
{
    /// <summary>The width of one bucket.</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromSeconds(5);

    /// <summary>Buckets kept: 180 of 5 s, 15 minutes.</summary>
    public const int Buckets = 180;

    public const string JobsMeter = "Strata.Jobs";
    public const string RateLimitingMeter = "Strata.RateLimiting";

    private static readonly Target Succeeded = new(LiveSeries.JobsSucceeded);
    private static readonly Target Failed = new(LiveSeries.JobsFailed);
    private static readonly Target Decisions = new(LiveSeries.Decisions);

    private readonly MeterListener _listener;
    private readonly object? _scope;
    private readonly TimeProvider _time;
    private int _state;   // 0 new, 1 started, 2 stopped
    private volatile bool _jobsSeen;
    private volatile bool _rateLimitingSeen;

    public LiveCollector(IServiceProvider services)
        : this(services.GetService<IMeterFactory>(), services.GetService<TimeProvider>() ?? TimeProvider.System, Buckets, Resolution)
    {
    }

    public LiveCollector(object? meterScope, TimeProvider time, int buckets, TimeSpan resolution)
    {
        _scope = meterScope;
        _time = time;
        Ring = new LiveRing(buckets, resolution);
        _listener = new MeterListener { InstrumentPublished = OnInstrumentPublished };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
    }

    public LiveRing Ring { get; }

    /// <summary>True once a Strata.Jobs counter of this host was seen.</summary>
    public bool JobsSeen => _jobsSeen;

    /// <summary>True once the Strata.RateLimiting decisions counter of this host was seen (the rate limiter made it).</summary>
    public bool RateLimitingSeen => _rateLimitingSeen;

    /// <summary>True between <see cref="Start"/> and <see cref="Dispose"/>.</summary>
    public bool IsListening => Volatile.Read(ref _state) == 1;

    /// <summary>Starts listening; a second call does nothing.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
        {
            _listener.Start();
        }
    }

    /// <summary>The last <paramref name="count"/> buckets, the current one last.</summary>
    public LiveSnapshot Read(int count = Buckets) => Ring.Read(_time.GetUtcNow().ToUnixTimeMilliseconds(), count);

    /// <summary>Stops listening for good.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _state, 2);
        _listener.Dispose();
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (instrument.Meter.Scope is { } scope && !ReferenceEquals(scope, _scope))
        {
            return;   // another host's meter in the same process
        }

        Target? target = (instrument.Meter.Name, instrument.Name) switch
        {
            (JobsMeter, "strata.jobs.succeeded") => Succeeded,
            (JobsMeter, "strata.jobs.failed") => Failed,
            (RateLimitingMeter, "strata.ratelimiting.decisions") => Decisions,
            _ => null,
        };
        if (target is null)
        {
            return;
        }

        if (target.Series == LiveSeries.Decisions)
        {
            _rateLimitingSeen = true;
        }
        else
        {
            _jobsSeen = true;
        }

        listener.EnableMeasurementEvents(instrument, target);
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (state is not Target target)
        {
            return;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Ring.Add(now, target.Series, value);
        if (target.Series != LiveSeries.Decisions)
        {
            return;
        }

        foreach (var tag in tags)
        {
            if (tag.Key == "result")
            {
                if (tag.Value is "rejected")
                {
                    Ring.Add(now, LiveSeries.Denials, value);
                }

                return;
            }
        }
    }

    /// <summary>The series an enabled instrument feeds (the listener's per-instrument state).</summary>
    private sealed class Target(int series)
    {
        public int Series { get; } = series;
    }
}
