using StackExchange.Redis;

namespace Strata.Jobs.Redis;

/// <summary>The leases: keeps the entries of this process's running jobs fresh, and removes the consumers of stopped hosts.</summary>
internal sealed class RedisHeartbeat(RedisBackendContext context)
{
    private readonly RedisBackendContext _context = context;

    /// <summary>
    /// Keeps the entries of running jobs fresh so no other worker reclaims them (JUSTID does not raise the
    /// delivery count), and picks up cancel requests whose Pub/Sub message was missed (a reconnect).
    /// </summary>
    public async Task HeartbeatAsync(IDatabase db)
    {
        foreach (var group in _context.InFlight.GroupBy(p => p.Value.Queue, StringComparer.Ordinal))
        {
            var keys = _context.KeysOf(group.Key);
            var ids = group.Select(p => (RedisValue)p.Key).ToArray();
            await db.StreamClaimIdsOnlyAsync(keys.Stream, _context.Options.ConsumerGroup, _context.Options.ConsumerName, 0, ids).ConfigureAwait(false);
            foreach (var (_, (_, jobId)) in group)
            {
                if (_context.Running.IsRunning(jobId) && await db.HashGetAsync(keys.Job(jobId), "cancel").ConfigureAwait(false) == "1")
                {
                    _context.Running.TryCancel(jobId);
                }
            }
        }
    }

    /// <summary>
    /// Removes consumers of stopped hosts (every start uses a new name) once they hold no pending entry and
    /// have been idle for ten leases; a live worker reads at least every poll interval, so it is never idle that long.
    /// </summary>
    public async Task RemoveGoneConsumersAsync(IDatabase db, RedisQueueKeys keys)
    {
        var limit = (long)(_context.Options.LeaseTime.TotalMilliseconds * 10);
        foreach (var consumer in await db.StreamConsumerInfoAsync(keys.Stream, _context.Options.ConsumerGroup).ConfigureAwait(false))
        {
            if (consumer.PendingMessageCount == 0 && consumer.IdleTimeInMilliseconds > limit && consumer.Name != _context.Options.ConsumerName)
            {
                await db.StreamDeleteConsumerAsync(keys.Stream, _context.Options.ConsumerGroup, consumer.Name).ConfigureAwait(false);
                RedisJobsLog.ConsumerRemoved(_context.Logger, consumer.Name);
            }
        }
    }
}
