using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Strata.Jobs.Internal;

/// <summary>
/// The recurring-job scheduler, a hosted service. At start it writes the schedules registered in code to the backend
/// (on every host). On hosts that run workers (<see cref="JobsOptions.RunWorkers"/>) it then runs a loop: every second,
/// or sooner when an occurrence is due, it reads the schedules and fires the due ones (<see cref="RecurringFiring"/>).
/// Every such host runs the loop; the backend's compare-and-set and the occurrence's idempotency key make each
/// occurrence fire once across them. Time comes from the host's <see cref="TimeProvider"/>. The loop never dies: a
/// failure to read the schedules is logged once per outage, a failure to fire one schedule once until it works.
/// </summary>
internal sealed class RecurringScheduler : BackgroundService
{
    /// <summary>The longest wait between two passes: 1 second.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Failures in a row of a read or write before they are logged: a store found down at start (before its client
    /// knows and reports the outage) or a blip of one pass logs nothing.
    /// </summary>
    private const int FailuresBeforeLog = 3;

    private readonly RecurringStore _store;
    private readonly RecurringFiring _firing;
    private readonly IReadOnlyList<RecurringRegistration> _registrations;
    private readonly JobTypeRegistry _registry;
    private readonly JobsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _staleAfter;
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly HashSet<string> _failing = new(StringComparer.Ordinal);
    private List<(string Name, RecurringSchedule Definition)>? _pending;
    private DateTimeOffset? _outageSince;
    private int _readFailures;
    private bool _readFailureLogged;
    private int _registrationFailures;
    private bool _registrationsFailed;

    public RecurringScheduler(
        RecurringStore store,
        JobQueue queue,
        IEnumerable<RecurringRegistration> registrations,
        JobTypeRegistry registry,
        IOptions<JobsOptions> options,
        ILoggerFactory loggerFactory)
    {
        _store = store;
        _registrations = [.. registrations];
        _registry = registry;
        _options = options.Value;
        _time = store.Time;
        _logger = loggerFactory.CreateLogger(RecurringLog.Category);
        _firing = new RecurringFiring(store, queue, _logger);

        // A pass that has run this long reads the schedules again before it fires more: the idempotency key of an
        // occurrence must still be known when a slow host fires it (see RecurringFiring).
        _staleAfter = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, _options.IdempotencyKeyLifetime.Ticks / 2));
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // A registration that names an unknown job type, queue or rate limit stops the host here, naming the fix.
        _pending = [.. _registrations.Select(r => (r.Name, r.CreateDefinition(_registry, _options)))];
        await WriteRegistrationsAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        base.Dispose();
        _pass.Dispose();
    }

    /// <summary>One pass: reads the schedules and fires the due ones.</summary>
    /// <returns>How long to wait before the next pass (zero to a <see cref="Tick"/>).</returns>
    internal async Task<TimeSpan> RunOnceAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await PassAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pass.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start: the first pass may complete synchronously on an in-memory backend.
        await Task.Yield();
        try
        {
            if (!_options.RunWorkers)
            {
                // No loop on an API-only host; it only makes sure its registrations get written.
                while (_pending is not null)
                {
                    await Task.Delay(Tick, _time, stoppingToken).ConfigureAwait(false);
                    await WriteRegistrationsAsync(stoppingToken).ConfigureAwait(false);
                }

                return;
            }

            while (true)
            {
                TimeSpan delay;
                try
                {
                    delay = await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // A pass handles the backend's failures itself; anything else is a bug, logged, and the loop goes on.
                    RecurringLog.PassFailed(_logger, ex);
                    delay = Tick;
                }

                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task<TimeSpan> PassAsync(CancellationToken cancellationToken)
    {
        await WriteRegistrationsAsync(cancellationToken).ConfigureAwait(false);
        var readAt = _time.GetUtcNow();
        List<(Backends.JobScheduleEntry Entry, RecurringSchedule Schedule)> schedules;
        try
        {
            schedules = await _store.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _outageSince ??= readAt;
            if (++_readFailures >= FailuresBeforeLog && !_readFailureLogged)
            {
                _readFailureLogged = true;
                if (!IsKnownOutage("Reading the schedules"))
                {
                    RecurringLog.ReadFailed(_logger, _store.Backend.Name, ex);
                }
            }

            return Tick;
        }

        if (_outageSince is { } since)
        {
            if (_readFailureLogged)
            {
                RecurringLog.ReadRecovered(_logger, _store.Backend.Name, readAt - since);
            }

            (_outageSince, _readFailures, _readFailureLogged) = (null, 0, false);
        }

        DateTimeOffset? attention = null;
        foreach (var (entry, schedule) in schedules)
        {
            var now = _time.GetUtcNow();
            if (now - readAt > _staleAfter)
            {
                attention = now;
                break;
            }

            DateTimeOffset? next;
            try
            {
                next = await _firing.FireIfDueAsync(entry, schedule, now, cancellationToken).ConfigureAwait(false);
                _failing.Remove(entry.Name);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (_failing.Add(entry.Name) && !IsKnownOutage($"Firing '{entry.Name}'"))
                {
                    RecurringLog.FireFailed(_logger, entry.Name, schedule.NextRunAt ?? now, ex);
                }

                next = now + Tick;
            }

            if (next < attention || attention is null)
            {
                attention = next;
            }
        }

        var wait = attention is { } due ? due - _time.GetUtcNow() : Tick;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > Tick ? Tick : wait;
    }

    /// <summary>True when the backend knows its store is out of reach (it logs the outage itself): the failure is then logged at Debug, without a stack.</summary>
    private bool IsKnownOutage(string step)
    {
        if (_store.Backend.DescribeOutage() is not { } outage)
        {
            return false;
        }

        RecurringLog.StoreOutage(_logger, step, _store.Backend.Name, outage);
        return true;
    }

    /// <summary>Writes the registrations still pending; a failure of the backend is logged (once) and retried on the next pass.</summary>
    private async Task WriteRegistrationsAsync(CancellationToken cancellationToken)
    {
        if (_pending is not { } pending)
        {
            return;
        }

        try
        {
            foreach (var (name, definition) in pending)
            {
                await _store.UpsertAsync(name, definition, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (++_registrationFailures >= FailuresBeforeLog && !_registrationsFailed)
            {
                _registrationsFailed = true;
                if (!IsKnownOutage("Writing the registrations"))
                {
                    RecurringLog.RegistrationsFailed(_logger, _store.Backend.Name, ex);
                }
            }

            return;
        }

        _pending = null;
        if (pending.Count > 0)
        {
            RecurringLog.Registered(_logger, pending.Count, _store.Backend.Name);
        }
    }
}
