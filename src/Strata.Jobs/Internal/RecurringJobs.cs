using Microsoft.Extensions.Options;

namespace Strata.Jobs.Internal;

/// <summary>
/// <see cref="IRecurringJobs"/> over the backend's schedules. Every change is a compare-and-set write retried after a
/// re-read (<see cref="RecurringStore.UpdateAsync"/>), so it holds against the scheduler advancing the same schedule on
/// another host at the same moment.
/// </summary>
internal sealed class RecurringJobs(RecurringStore store, JobQueue queue, JobTypeRegistry registry, IOptions<JobsOptions> options) : IRecurringJobs
{
    private readonly JobsOptions _options = options.Value;

    public async ValueTask AddOrUpdateAsync<TJob>(string name, string cron, TJob job, RecurringJobOptions? options = null, CancellationToken cancellationToken = default)
    {
        var definition = RecurringValidation.CreateDefinition(name, cron, job, options, registry, _options);
        await store.UpsertAsync(name, definition, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> PauseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var stored = await store.UpdateAsync(
            name,
            static (schedule, _) => schedule is null ? null : schedule with { Paused = true, NextRunAt = null },
            cancellationToken).ConfigureAwait(false);
        return stored is not null;
    }

    public async ValueTask<bool> ResumeAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);

        // A schedule that is not paused keeps its next run (an occurrence due now still fires).
        var stored = await store.UpdateAsync(
            name,
            static (schedule, now) => schedule is not { Paused: true } ? null : schedule with { Paused = false, NextRunAt = RecurringCron.Next(schedule, now) },
            cancellationToken).ConfigureAwait(false);
        return stored is not null;
    }

    public ValueTask<bool> RemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return store.Backend.DeleteScheduleAsync(name, cancellationToken);
    }

    public async ValueTask<string?> TriggerAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (await store.ReadAsync(name, cancellationToken).ConfigureAwait(false) is not { Schedule: var schedule })
        {
            return null;
        }

        // No idempotency key: every trigger is a job of its own, outside the occurrences.
        var jobId = await queue.EnqueueRawAsync(schedule.JobType, schedule.Payload, schedule.ToJobOptions(idempotencyKey: null), cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Queue '{schedule.Queue}' is full and set to drop new jobs.");
        await store.UpdateAsync(
            name,
            (stored, _) => stored is null ? null : stored with { LastJobId = jobId },
            cancellationToken).ConfigureAwait(false);
        return jobId;
    }

    public async ValueTask<RecurringJobInfo?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return await store.ReadAsync(name, cancellationToken).ConfigureAwait(false) is { } found ? found.Schedule.ToInfo(found.Entry.Name) : null;
    }

    public async ValueTask<IReadOnlyList<RecurringJobInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var schedules = await store.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        return [.. schedules.Select(s => s.Schedule.ToInfo(s.Entry.Name)).OrderBy(s => s.Name, StringComparer.Ordinal)];
    }
}
