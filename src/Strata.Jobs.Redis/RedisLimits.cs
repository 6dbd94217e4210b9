using StackExchange.Redis;

namespace Strata.Jobs.Redis;

/// <summary>
/// The fleet-wide limits, each on one key (so one slot in a cluster) and on Redis's clock: concurrency slots as a
/// sorted set of holders scored by lease end (slot_acquire.lua), and rate limits as a sliding-window log of the times
/// permits were taken (permit_take.lua).
/// </summary>
internal sealed class RedisLimits(RedisBackendContext context)
{
    private readonly string _slots = context.Options.KeyPrefix + "slot:";
    private readonly string _permits = context.Options.KeyPrefix + "permit:";

    public async ValueTask<bool> TryAcquireSlotAsync(string scope, int limit, string holder, TimeSpan lease)
    {
        var db = await context.AvailableDatabaseAsync().ConfigureAwait(false);
        var leaseMs = Math.Max(1, (long)Math.Ceiling(lease.TotalMilliseconds));
        var taken = await RedisScript.SlotAcquire.EvaluateAsync(db, [_slots + scope], [limit, holder, leaseMs]).ConfigureAwait(false);
        return (int)taken == 1;
    }

    public async ValueTask ReleaseSlotAsync(string scope, string holder)
    {
        var db = await context.AvailableDatabaseAsync().ConfigureAwait(false);
        await db.SortedSetRemoveAsync(_slots + scope, holder).ConfigureAwait(false);
    }

    public async ValueTask<TimeSpan> TryTakePermitAsync(string key, int permits, TimeSpan window)
    {
        var db = await context.AvailableDatabaseAsync().ConfigureAwait(false);
        var windowUs = Math.Max(1, (long)Math.Ceiling(window.TotalMicroseconds));
        var wait = (long)await RedisScript.PermitTake.EvaluateAsync(db, [(RedisKey)(_permits + key)], [permits, windowUs, Guid.NewGuid().ToString("N")]).ConfigureAwait(false);
        return wait <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(1, wait * TimeSpan.TicksPerMicrosecond));
    }
}
