using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// The limits that hold across every host sharing the backend: a queue's <see cref="JobQueueOptions.FleetMaxConcurrency"/>
/// (a slot of scope <c>queue:{name}</c> per running job, held by the job's id under a lease this host renews), its
/// <see cref="JobQueueOptions.RateLimit"/> (permits of key <c>queue:{name}</c>) and the named
/// <see cref="JobsOptions.RateLimits"/> a job joins with <see cref="JobOptions.LimitKey"/> (key <c>limit:{name}</c>).
/// Checked after a delivery is received and before it starts: a job held back is deferred, spending no attempt.
/// </summary>
internal sealed class FleetLimits
{
    /// <summary>How long a slot is held unless renewed: a host that dies frees its slots after this.</summary>
    public static readonly TimeSpan SlotLease = TimeSpan.FromSeconds(30);

    /// <summary>How often this host renews the leases of the slots its running jobs hold.</summary>
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(10);

    /// <summary>The wait before a job that checking its limits failed for is tried again.</summary>
    public static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(1);

    private readonly IJobBackend _backend;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, QueueLimits> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamedLimit> _named = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HeldSlot> _held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _unknownKeysLogged = new(StringComparer.Ordinal);
    private readonly bool _anyQueueLimit;
    private readonly bool _anySlot;

    public FleetLimits(IJobBackend backend, JobsOptions options, TimeProvider time, ILogger logger)
    {
        _backend = backend;
        _time = time;
        _logger = logger;
        foreach (var queue in options.GetEffectiveQueues())
        {
            if (queue.FleetMaxConcurrency is not null || queue.RateLimit is not null)
            {
                _queues[queue.Name] = new QueueLimits("queue:" + queue.Name, queue.FleetMaxConcurrency, queue.RateLimit);
                _anySlot |= queue.FleetMaxConcurrency is not null;
            }
        }

        foreach (var (name, limit) in options.RateLimits)
        {
            _named[name] = new NamedLimit("limit:" + name, limit);
        }

        _anyQueueLimit = _queues.Count > 0;
    }

    /// <summary>True when some queue has a fleet-wide concurrency cap (so slots need renewing).</summary>
    public bool HoldsSlots => _anySlot;

    /// <summary>Whether any fleet-wide limit applies to the job; false costs no backend call.</summary>
    public bool AppliesTo(JobEnvelope envelope) =>
        envelope.LimitKey is not null || (_anyQueueLimit && _queues.ContainsKey(envelope.Queue));

    /// <summary>
    /// Takes what the job needs to start: its queue's slot first, then its queue's permit, then its named limit's
    /// permit. A refused permit frees the slot taken for it. Never throws: a failed check defers the job briefly.
    /// </summary>
    public async ValueTask<Admission> AdmitAsync(JobEnvelope envelope)
    {
        _queues.TryGetValue(envelope.Queue, out var queue);
        var slot = false;
        try
        {
            if (queue?.MaxConcurrency is { } cap)
            {
                if (!await _backend.TryAcquireSlotAsync(queue.Key, cap, envelope.Id, SlotLease, CancellationToken.None).ConfigureAwait(false))
                {
                    return Admission.Defer(Admission.ConcurrencyReason, ConcurrencyBackoff());
                }

                slot = true;
                _held[envelope.Id] = new HeldSlot(queue.Key, cap);
            }

            if (queue?.Rate is { } rate)
            {
                var wait = await _backend.TryTakePermitAsync(queue.Key, rate.Permits, rate.Window, CancellationToken.None).ConfigureAwait(false);
                if (wait > TimeSpan.Zero)
                {
                    await ReleaseAsync(envelope.Id).ConfigureAwait(false);
                    return Admission.Defer(Admission.RateReason, wait);
                }
            }

            if (envelope.LimitKey is { } key)
            {
                if (_named.TryGetValue(key, out var named))
                {
                    var wait = await _backend.TryTakePermitAsync(named.Key, named.Limit.Permits, named.Limit.Window, CancellationToken.None).ConfigureAwait(false);
                    if (wait > TimeSpan.Zero)
                    {
                        await ReleaseAsync(envelope.Id).ConfigureAwait(false);
                        return Admission.Defer(Admission.RateReason, wait);
                    }
                }
                else if (_unknownKeysLogged.TryAdd(key, true))
                {
                    // Enqueued by a host configured otherwise: run it rather than hold it forever.
                    JobsLog.UnknownLimitKey(_logger, envelope.Id, key, string.Join(", ", _named.Keys));
                }
            }

            return new Admission(true, null, TimeSpan.Zero);
        }
        catch (Exception ex)
        {
            if (_backend.DescribeOutage() is null)
            {
                // A backend that knows its store is out of reach logs the outage itself.
                JobsLog.LimitCheckFailed(_logger, envelope.Id, _backend.Name, FailureBackoff, ex);
            }

            if (slot)
            {
                await ReleaseAsync(envelope.Id).ConfigureAwait(false);
            }

            return Admission.Defer(null, FailureBackoff);
        }
    }

    /// <summary>Frees the slot the job holds, if any; never throws (a slot not freed frees itself when its lease ends).</summary>
    public async ValueTask ReleaseAsync(string jobId)
    {
        if (!_held.TryRemove(jobId, out var held))
        {
            return;
        }

        try
        {
            await _backend.ReleaseSlotAsync(held.Scope, jobId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (_backend.DescribeOutage() is null)
        {
            JobsLog.SlotReleaseFailed(_logger, jobId, held.Scope, SlotLease, ex);
        }
        catch (Exception)
        {
            // The backend logs its outage itself; the slot frees itself when its lease ends.
        }
    }

    /// <summary>Renews the leases of the slots held by this host's running jobs every <see cref="RenewInterval"/> until cancelled.</summary>
    public async Task RunRenewalsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(RenewInterval, _time);
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var (jobId, held) in _held)
                {
                    await RenewAsync(jobId, held, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RenewAsync(string jobId, HeldSlot held, CancellationToken cancellationToken)
    {
        try
        {
            if (!await _backend.TryAcquireSlotAsync(held.Scope, held.Limit, jobId, SlotLease, cancellationToken).ConfigureAwait(false)
                && _held.ContainsKey(jobId))
            {
                // The lease ran out before it was renewed (a long pause of this host) and another job took the slot.
                JobsLog.SlotLost(_logger, jobId, held.Scope);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (_backend.DescribeOutage() is null)
        {
            JobsLog.SlotRenewFailed(_logger, jobId, held.Scope, ex);
        }
        catch (Exception)
        {
            // The backend logs its outage itself; the next renewal tries again.
        }
    }

    private static TimeSpan ConcurrencyBackoff() => TimeSpan.FromMilliseconds(100 + Random.Shared.Next(151));

    /// <summary>The outcome of <see cref="AdmitAsync"/>.</summary>
    /// <param name="Admitted">True: start the job.</param>
    /// <param name="Reason">Why it was held back (<c>concurrency</c> or <c>rate</c>), for the deferred counter; null when a check failed.</param>
    /// <param name="Wait">How long to defer it.</param>
    internal readonly record struct Admission(bool Admitted, string? Reason, TimeSpan Wait)
    {
        public const string ConcurrencyReason = "concurrency";
        public const string RateReason = "rate";

        public static Admission Defer(string? reason, TimeSpan wait) => new(false, reason, wait);
    }

    private sealed record QueueLimits(string Key, int? MaxConcurrency, JobRateLimit? Rate);

    private sealed record NamedLimit(string Key, JobRateLimit Limit);

    private sealed record HeldSlot(string Scope, int Limit);
}
