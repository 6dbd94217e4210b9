using Strata.Jobs.Backends;
using static Strata.Jobs.Redis.RedisValues;

namespace Strata.Jobs.Redis;

/// <summary>
/// The query and control members: search and counts (<see cref="RedisSearch"/>), bulk requeue and delete
/// (<see cref="RedisBulk"/>), schedules (<see cref="RedisSchedules"/>), fleet-wide limits (<see cref="RedisLimits"/>),
/// the paused-queue set and deferral of a delivery held back by a limit.
/// </summary>
internal sealed partial class RedisJobBackend
{
    public ValueTask<JobPage> SearchAsync(JobFilter filter, string? cursor, int limit, CancellationToken cancellationToken) =>
        _search.SearchAsync(filter, cursor, limit);

    public ValueTask<IReadOnlyList<JobStateCount>> CountAsync(CancellationToken cancellationToken) => _search.CountAsync();

    public ValueTask<DateTimeOffset?> GetOldestQueuedAsync(string queue, CancellationToken cancellationToken) => _search.GetOldestQueuedAsync(queue);

    public ValueTask<long> RequeueManyAsync(JobFilter filter, CancellationToken cancellationToken) => _bulk.RequeueManyAsync(filter, cancellationToken);

    public ValueTask<bool> DeleteAsync(string jobId, CancellationToken cancellationToken) => _bulk.DeleteAsync(jobId);

    public ValueTask<long> DeleteManyAsync(JobFilter filter, CancellationToken cancellationToken) => _bulk.DeleteManyAsync(filter, cancellationToken);

    public async ValueTask SetQueuePausedAsync(string queue, bool paused, CancellationToken cancellationToken)
    {
        var db = await _context.AvailableDatabaseAsync().ConfigureAwait(false);
        _ = paused
            ? await db.SetAddAsync(PausedKey, queue).ConfigureAwait(false)
            : await db.SetRemoveAsync(PausedKey, queue).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<string>> GetPausedQueuesAsync(CancellationToken cancellationToken)
    {
        var db = await _context.AvailableDatabaseAsync().ConfigureAwait(false);
        var members = await db.SetMembersAsync(PausedKey).ConfigureAwait(false);
        return members.Select(m => m.ToString()).ToList();
    }

    public ValueTask<IReadOnlyList<JobScheduleEntry>> GetSchedulesAsync(CancellationToken cancellationToken) => _schedules.GetAllAsync();

    public ValueTask<bool> SaveScheduleAsync(string name, string data, long expectedVersion, CancellationToken cancellationToken) =>
        _schedules.SaveAsync(name, data, expectedVersion);

    public ValueTask<bool> DeleteScheduleAsync(string name, CancellationToken cancellationToken) => _schedules.DeleteAsync(name);

    public ValueTask<bool> TryAcquireSlotAsync(string scope, int limit, string holder, TimeSpan lease, CancellationToken cancellationToken) =>
        _limits.TryAcquireSlotAsync(scope, limit, holder, lease);

    public ValueTask ReleaseSlotAsync(string scope, string holder, CancellationToken cancellationToken) => _limits.ReleaseSlotAsync(scope, holder);

    public ValueTask<TimeSpan> TryTakePermitAsync(string key, int permits, TimeSpan window, CancellationToken cancellationToken) =>
        _limits.TryTakePermitAsync(key, permits, window);

    public async ValueTask DeferAsync(JobDelivery delivery, DateTimeOffset runAt, CancellationToken cancellationToken)
    {
        var envelope = delivery.Envelope;
        var keys = _context.KeysOf(envelope.Queue);
        try
        {
            var db = await _context.DatabaseAsync().ConfigureAwait(false);
            await RedisScript.Defer.EvaluateAsync(
                db,
                [keys.Job(envelope.Id), keys.Stream, keys.Delayed],
                [delivery.Receipt, _context.Options.ConsumerGroup, Ms(runAt), Serialize(envelope with { EnqueuedAt = runAt }), Ms(_context.Time.GetUtcNow()), _context.RetentionMs, keys.IndexPrefix, envelope.Attempt - 1]).ConfigureAwait(false);
        }
        finally
        {
            // Recorded, or not: then the entry stays pending and, no longer heart-beaten, is delivered again after the lease.
            _context.InFlight.TryRemove(delivery.Receipt!, out _);
        }

        _subscriptions.ScheduleChanged();
    }
}
