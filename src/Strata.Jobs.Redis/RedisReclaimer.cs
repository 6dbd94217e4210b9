using System.Text.Json;
using StackExchange.Redis;
using Strata.Jobs.Backends;
using static Strata.Jobs.Redis.RedisValues;

namespace Strata.Jobs.Redis;

/// <summary>
/// Takes over stream entries whose worker stopped: entries idle past the lease are claimed (XCLAIM, which counts a
/// delivery) and turned into deliveries; an entry that is not a job envelope goes to the dead-letter stream.
/// </summary>
internal sealed class RedisReclaimer(RedisBackendContext context)
{
    private readonly RedisBackendContext _context = context;

    /// <summary>Claims entries idle past the lease (their worker stopped), counting the delivery.</summary>
    public async Task<IReadOnlyList<JobDelivery>> ReclaimAsync(IDatabase db, RedisQueueKeys keys, int max)
    {
        var lease = (long)_context.Options.LeaseTime.TotalMilliseconds;
        (RedisValue MessageId, int DeliveryCount)[] pending;
        try
        {
            pending = await PendingIdleAsync(db, keys.Stream, _context.Options.ConsumerGroup, max, lease).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            return [];
        }

        if (pending.Length == 0)
        {
            return [];
        }

        var counts = pending.ToDictionary(p => p.MessageId.ToString(), p => p.DeliveryCount, StringComparer.Ordinal);
        var claimed = await db.StreamClaimAsync(keys.Stream, _context.Options.ConsumerGroup, _context.Options.ConsumerName, lease, [.. pending.Select(p => p.MessageId)]).ConfigureAwait(false);
        var deliveries = await ToDeliveriesAsync(db, keys, claimed, id => counts.TryGetValue(id, out var n) ? n + 1 : 2).ConfigureAwait(false);
        foreach (var delivery in deliveries)
        {
            RedisJobsLog.Reclaimed(_context.Logger, delivery.Envelope.Id, delivery.DeliveryCount);
        }

        return deliveries;
    }

    /// <summary>
    /// <c>XPENDING key group IDLE ms - + count</c>: the pending entries idle for at least <paramref name="minIdleMs"/>.
    /// Sent as a raw command because StackExchange.Redis has a typed overload with an idle time only from 3.x, and the
    /// package supports 2.8 (the key is passed as a <see cref="RedisKey"/>, so Cluster routing and key prefixes apply).
    /// </summary>
    private static async Task<(RedisValue MessageId, int DeliveryCount)[]> PendingIdleAsync(IDatabase db, RedisKey stream, RedisValue group, int max, long minIdleMs)
    {
        var result = await db.ExecuteAsync("XPENDING", stream, group, "IDLE", minIdleMs, "-", "+", max).ConfigureAwait(false);
        var rows = (RedisResult[])result!;
        var pending = new (RedisValue, int)[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var row = (RedisResult[])rows[i]!;
            pending[i] = ((RedisValue)row[0], (int)row[3]);
        }

        return pending;
    }

    private async Task<IReadOnlyList<JobDelivery>> ToDeliveriesAsync(IDatabase db, RedisQueueKeys keys, StreamEntry[] entries, Func<string, int> deliveryCount)
    {
        if (entries.Length == 0)
        {
            return [];
        }

        var deliveries = new List<JobDelivery>(entries.Length);
        foreach (var entry in entries)
        {
            if (entry.IsNull)
            {
                continue;
            }

            var id = entry.Id.ToString();
            JobEnvelope? envelope = null;
            try
            {
                var raw = entry["e"];
                envelope = raw.IsNullOrEmpty ? null : Deserialize((byte[])raw!);
            }
            catch (JsonException ex)
            {
                RedisJobsLog.UnreadableEntry(_context.Logger, id, ex);
            }

            if (envelope is null)
            {
                // Not an envelope this library wrote: keep it for inspection, out of the work stream.
                await DeadLetterUnreadableAsync(db, keys, id, entry["e"]).ConfigureAwait(false);
                continue;
            }

            _context.InFlight[id] = (envelope.Queue, envelope.Id);
            deliveries.Add(new JobDelivery(envelope, id, deliveryCount(id)));
        }

        return deliveries;
    }

    public async Task DeadLetterUnreadableAsync(IDatabase db, RedisQueueKeys keys, string entryId, RedisValue raw)
    {
        await db.StreamAddAsync(keys.DeadLetters, [new("entry", entryId), new("error", "The stream entry is not a job envelope."), new("e", raw)], maxLength: _context.Options.DeadLetterMaxLength, useApproximateMaxLength: true).ConfigureAwait(false);
        await db.StreamAcknowledgeAsync(keys.Stream, _context.Options.ConsumerGroup, entryId).ConfigureAwait(false);
        await db.StreamDeleteAsync(keys.Stream, [entryId]).ConfigureAwait(false);
    }
}
