using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>The "Strata.Jobs" meter and activity source.</summary>
internal sealed class JobsMetrics
{
    public const string MeterName = "Strata.Jobs";
    public const string QueueTag = "strata.jobs.queue";
    public const string TypeTag = "strata.jobs.type";
    public const string StateTag = "strata.jobs.state";
    public const string ReasonTag = "strata.jobs.reason";

    public static readonly ActivitySource ActivitySource = new("Strata.Jobs", typeof(JobsMetrics).Assembly.GetName().Version?.ToString());

    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _started;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _deferred;
    private readonly Histogram<double> _waitTime;
    private readonly Histogram<double> _runTime;
    private readonly ObservableGauge<double> _oldestWaitingAge;
    private readonly ObservableGauge<long> _jobCount;
    private readonly TimeProvider _time;
    private volatile GaugeState? _gauges;

    public JobsMetrics(IMeterFactory meterFactory, IJobBackend backend, IOptions<JobsOptions> options, TimeProvider time)
    {
        _time = time;
        var meter = meterFactory.Create(MeterName);
        _enqueued = meter.CreateCounter<long>("strata.jobs.enqueued", "{job}", "Jobs added to a queue.");
        _started = meter.CreateCounter<long>("strata.jobs.started", "{job}", "Attempts started by a worker.");
        _succeeded = meter.CreateCounter<long>("strata.jobs.succeeded", "{job}", "Jobs whose handler completed.");
        _failed = meter.CreateCounter<long>("strata.jobs.failed", "{attempt}", "Attempts that failed (threw or timed out).");
        _retried = meter.CreateCounter<long>("strata.jobs.retried", "{job}", "Failed attempts followed by another attempt.");
        _deadLettered = meter.CreateCounter<long>("strata.jobs.dead_lettered", "{job}", "Jobs moved to the dead-letter queue.");
        _deferred = meter.CreateCounter<long>("strata.jobs.deferred", "{job}", "Received jobs held back by a fleet-wide limit (reason: concurrency or rate); no attempt spent.");
        _waitTime = meter.CreateHistogram<double>("strata.jobs.wait.duration", "s", "Time from runnable to started.");
        _runTime = meter.CreateHistogram<double>("strata.jobs.run.duration", "s", "Time an attempt's handler ran.");
        var queues = options.Value.GetEffectiveQueues();
        meter.CreateObservableGauge("strata.jobs.queue.depth", () => queues.Select(q => new Measurement<long>(backend.GetDepth(q.Name), new KeyValuePair<string, object?>(QueueTag, q.Name))), "{job}", "Jobs waiting in a queue.");

        // Fleet-wide values from the backend, read by JobsGaugeSampler every 15 seconds; the callbacks only read its last reading.
        _oldestWaitingAge = meter.CreateObservableGauge("strata.jobs.oldest_waiting_age", ObserveOldestWaitingAge, "s", "How long the job that has waited longest in a queue (state Queued) has been runnable; 0 when none waits.");
        _jobCount = meter.CreateObservableGauge("strata.jobs.count", ObserveJobCounts, "{job}", "Jobs the backend remembers, per queue and state.");
    }

    /// <summary>True when someone listens to the gauges that <see cref="JobsGaugeSampler"/> feeds (so it reads the backend only then).</summary>
    public bool GaugesEnabled => _oldestWaitingAge.Enabled || _jobCount.Enabled;

    /// <summary>Publishes the sampler's last reading to the gauges; null (the backend failed) makes them report nothing.</summary>
    public void PublishGaugeReading(JobsGaugeSampler.Reading? reading) => _gauges = reading is null ? null : new GaugeState(reading);

    /// <summary>True when someone listens to the run-time histogram (so the worker reads the clock around each handler only then).</summary>
    public bool RunTimeEnabled => _runTime.Enabled;

    public void Enqueued(string queue, string type) => Add(_enqueued, queue, type);

    public void Started(string queue, string type, DateTimeOffset runnableAt, TimeProvider time)
    {
        Add(_started, queue, type);
        if (_waitTime.Enabled)
        {
            _waitTime.Record(Math.Max(0, (time.GetUtcNow() - runnableAt).TotalSeconds), new(QueueTag, queue), new(TypeTag, type));
        }
    }

    public void Succeeded(string queue, string type) => Add(_succeeded, queue, type);

    public void Failed(string queue, string type) => Add(_failed, queue, type);

    public void Retried(string queue, string type) => Add(_retried, queue, type);

    public void DeadLettered(string queue, string type) => Add(_deadLettered, queue, type);

    public void Deferred(string queue, string reason)
    {
        if (_deferred.Enabled)
        {
            _deferred.Add(1, new(QueueTag, queue), new(ReasonTag, reason));
        }
    }

    public void Ran(string queue, string type, TimeSpan elapsed)
    {
        if (_runTime.Enabled)
        {
            _runTime.Record(elapsed.TotalSeconds, new(QueueTag, queue), new(TypeTag, type));
        }
    }

    private IEnumerable<Measurement<double>> ObserveOldestWaitingAge()
    {
        if (_gauges is not { } gauges)
        {
            return [];
        }

        var now = _time.GetUtcNow();
        var reading = gauges.Reading;
        var result = new Measurement<double>[reading.Queues.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var age = reading.OldestQueuedAt[i] is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0;
            result[i] = new Measurement<double>(age, new KeyValuePair<string, object?>(QueueTag, reading.Queues[i]));
        }

        return result;
    }

    private IEnumerable<Measurement<long>> ObserveJobCounts() => _gauges?.Counts ?? [];

    private static void Add(Counter<long> counter, string queue, string type)
    {
        if (counter.Enabled)
        {
            counter.Add(1, new(QueueTag, queue), new(TypeTag, type));
        }
    }

    /// <summary>A reading with its count measurements made once (a collection only hands them out).</summary>
    private sealed class GaugeState
    {
        public GaugeState(JobsGaugeSampler.Reading reading)
        {
            Reading = reading;
            var states = JobsGaugeSampler.Reading.States;
            Counts = new Measurement<long>[reading.Counts.Length];
            for (var q = 0; q < reading.Queues.Count; q++)
            {
                for (var s = 0; s < states.Length; s++)
                {
                    var i = (q * states.Length) + s;
                    Counts[i] = new Measurement<long>(
                        reading.Counts[i],
                        new KeyValuePair<string, object?>(QueueTag, reading.Queues[q]),
                        new KeyValuePair<string, object?>(StateTag, StateTagValue(states[s])));
                }
            }
        }

        public JobsGaugeSampler.Reading Reading { get; }

        public Measurement<long>[] Counts { get; }

        /// <summary>The state as a tag value: its name in lower case (<c>queued</c>, <c>dead</c>).</summary>
        private static string StateTagValue(JobState state) => state switch
        {
            JobState.Queued => "queued",
            JobState.Scheduled => "scheduled",
            JobState.Running => "running",
            JobState.Succeeded => "succeeded",
            JobState.Failed => "failed",
            JobState.Dead => "dead",
            JobState.Cancelled => "cancelled",
            _ => state.ToString().ToLowerInvariant(),
        };
    }
}
