using System.Globalization;
using Microsoft.Extensions.Logging;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// Fires one due schedule, exactly once across the fleet, with the public contract only (the backend's schedules and
/// job status, and the normal enqueue path):
/// <list type="number">
/// <item>The occurrence fired is always the stored <see cref="RecurringSchedule.NextRunAt"/>, never one computed from a
/// host's clock, so every host that read the same version of the schedule fires the same occurrence.</item>
/// <item>It is enqueued with the idempotency key <c>recurring:{name}:{occurrence UTC ticks}</c>: hosts racing on the
/// same version get one job (the loser's enqueue answers <see cref="EnqueueStatus.Duplicate"/> with the same id).</item>
/// <item>Then the schedule is advanced with compare-and-set (last run, last job, next run). A host that loses the write
/// knows another advanced it and does nothing more; one that read an old version later (a slow host) finds the key
/// still known, as long as it comes within <see cref="JobsOptions.IdempotencyKeyLifetime"/> (the scheduler drops a pass
/// older than a minute, well inside it), and its write fails.</item>
/// </list>
/// Misfires: an occurrence is missed when it is older than <see cref="MisfireGrace"/> (the scheduler was down, or all
/// hosts were). Skip moves the next run to the first occurrence after now minus the grace, with no job. FireOnce first
/// moves the next run to the latest occurrence at or before now (a write of its own, so racing hosts agree on it), and
/// that one is then fired as above: one job for all that were missed.
/// <para>No overlap: the previous job's state is read before the occurrence is fired or skipped, and the decision is
/// written with compare-and-set like a firing. Should the previous job finish between two racing hosts' reads, one may
/// skip while the other enqueues; the first write stands, so the occurrence still gets at most one job, but when the
/// skip wins the enqueued job is not recorded as the last job.</para>
/// </summary>
internal sealed class RecurringFiring(RecurringStore store, JobQueue queue, ILogger logger)
{
    /// <summary>How late an occurrence may fire before it counts as missed and the misfire policy decides: 1 minute.</summary>
    public static readonly TimeSpan MisfireGrace = TimeSpan.FromMinutes(1);

    /// <summary>The idempotency key of one occurrence of a schedule.</summary>
    public static string IdempotencyKey(string name, DateTimeOffset occurrence) =>
        string.Create(CultureInfo.InvariantCulture, $"recurring:{name}:{occurrence.UtcTicks}");

    /// <summary>Fires <paramref name="schedule"/> if it is due at <paramref name="now"/>.</summary>
    /// <returns>When the schedule next needs a look: its next run, <paramref name="now"/> when another host changed it (read again), or null for never.</returns>
    public async ValueTask<DateTimeOffset?> FireIfDueAsync(JobScheduleEntry entry, RecurringSchedule schedule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (schedule.Paused || schedule.NextRunAt is not { } occurrence)
        {
            return null;
        }

        if (occurrence > now)
        {
            return occurrence;
        }

        var name = entry.Name;
        if (now - occurrence > MisfireGrace)
        {
            if (schedule.Misfire == RecurringMisfirePolicy.Skip)
            {
                var next = RecurringCron.Next(schedule, now - MisfireGrace);
                if (!await store.TrySaveAsync(entry, schedule with { NextRunAt = next }, cancellationToken).ConfigureAwait(false))
                {
                    return now;
                }

                RecurringLog.MisfireSkipped(logger, name, occurrence, next);
                return next;
            }

            if (RecurringCron.Latest(schedule, now) is { } latest && latest > occurrence)
            {
                // The latest missed occurrence becomes the stored next run first; the next pass fires it.
                if (await store.TrySaveAsync(entry, schedule with { NextRunAt = latest }, cancellationToken).ConfigureAwait(false))
                {
                    RecurringLog.MisfireFiringOnce(logger, name, occurrence, latest);
                }

                return now;
            }
        }

        if (!schedule.AllowOverlap && schedule.LastJobId is { } lastJobId &&
            await store.Backend.GetAsync(lastJobId, cancellationToken).ConfigureAwait(false) is { IsFinished: false } previous)
        {
            var next = RecurringCron.Next(schedule, occurrence);
            if (!await store.TrySaveAsync(entry, schedule with { NextRunAt = next }, cancellationToken).ConfigureAwait(false))
            {
                return now;
            }

            RecurringLog.OverlapSkipped(logger, name, occurrence, lastJobId, previous.State);
            return next;
        }

        // The next run first: a schedule this host cannot compute (a time zone it lacks) enqueues nothing.
        var nextRun = RecurringCron.Next(schedule, occurrence);
        var options = schedule.ToJobOptions(IdempotencyKey(name, occurrence));
        var jobId = await queue.EnqueueRawAsync(schedule.JobType, schedule.Payload, options, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Queue '{schedule.Queue}' is full and set to drop new jobs.");
        if (!await store.TrySaveAsync(entry, schedule with { LastRunAt = occurrence, LastJobId = jobId, NextRunAt = nextRun }, cancellationToken).ConfigureAwait(false))
        {
            return now;
        }

        RecurringLog.Fired(logger, name, occurrence, jobId);
        return nextRun;
    }
}
