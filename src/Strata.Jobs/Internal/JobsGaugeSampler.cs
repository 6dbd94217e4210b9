using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// Reads the job counts per queue and state and each queue's oldest waiting job from the backend every
/// <see cref="Interval"/>, and hands them to <see cref="JobsMetrics"/>, whose observable gauges report the last
/// reading: a gauge callback never calls the backend, so a collection never waits on a store. Reads only while a
/// listener (an OpenTelemetry exporter, a test's <see cref="MeterListener"/>) has enabled one of those gauges, so a
/// host nobody measures costs the store nothing. A backend failure is logged once per outage (Warning), and the gauges
/// report nothing until a reading succeeds again (no stale values).
/// </summary>
internal sealed partial class JobsGaugeSampler : IHostedService, IDisposable
{
    /// <summary>How often the backend is read.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    // Logged through LoggerMessage.Define rather than the source generator: JobsLog keeps every generated message of
    // the assembly in one class (deterministic builds), and these two belong to this sampler alone.
    private static readonly Action<ILogger, string, Exception?> LogSampleFailed = LoggerMessage.Define<string>(
        LogLevel.Warning,
        new EventId(301, "GaugeSampleFailed"),
        "Reading job counts from the {Backend} backend for the gauges failed; the gauges report nothing until it succeeds (logged once per outage).");

    private static readonly Action<ILogger, string, Exception?> LogSampleRecovered = LoggerMessage.Define<string>(
        LogLevel.Information,
        new EventId(302, "GaugeSampleRecovered"),
        "Reading job counts from the {Backend} backend for the gauges works again.");

    private readonly JobsMetrics _metrics;
    private readonly IJobBackend _backend;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string[] _queues;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private bool _failing;
    private int _disposed;

    public JobsGaugeSampler(JobsMetrics metrics, IJobBackend backend, TimeProvider time, IOptions<JobsOptions> options, ILoggerFactory loggerFactory)
    {
        _metrics = metrics;
        _backend = backend;
        _time = time;
        _logger = loggerFactory.CreateLogger("Strata.Jobs.Metrics");
        _queues = [.. options.Value.GetEffectiveQueues().Select(q => q.Name)];
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stopping again, also after the host disposed the sampler, does nothing.
        if (_loop is null || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // A host disposed without being stopped still ends the loop.
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>Reads the backend once and publishes the reading to the gauges; false (logged once per outage) when the backend failed.</summary>
    internal async Task<bool> SampleAsync(CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(Interval, _time);
        using var link = stopping.Register(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
        try
        {
            var stored = await _backend.CountAsync(timeout.Token).ConfigureAwait(false);
            var oldest = new DateTimeOffset?[_queues.Length];
            for (var i = 0; i < _queues.Length; i++)
            {
                oldest[i] = await _backend.GetOldestQueuedAsync(_queues[i], timeout.Token).ConfigureAwait(false);
            }

            _metrics.PublishGaugeReading(new Reading(_queues, CountAll(stored), oldest));
            if (_failing)
            {
                _failing = false;
                LogSampleRecovered(_logger, _backend.Name, null);
            }

            return true;
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            _metrics.PublishGaugeReading(null);
            if (!_failing)
            {
                _failing = true;
                LogSampleFailed(_logger, _backend.Name, ex);
            }

            return false;
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            do
            {
                if (_metrics.GaugesEnabled)
                {
                    await SampleAsync(stopping).ConfigureAwait(false);
                }
            }
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Every configured queue times every state, zeros included; counts of queues this host does not know are left out.</summary>
    private long[] CountAll(IReadOnlyList<JobStateCount> stored)
    {
        var counts = new long[_queues.Length * Reading.States.Length];
        foreach (var count in stored)
        {
            var queue = Array.IndexOf(_queues, count.Queue);
            var state = Array.IndexOf(Reading.States, count.State);
            if (queue >= 0 && state >= 0)
            {
                counts[(queue * Reading.States.Length) + state] += count.Count;
            }
        }

        return counts;
    }
}
