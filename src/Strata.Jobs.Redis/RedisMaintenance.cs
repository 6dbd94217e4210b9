using System.Collections.Concurrent;
using StackExchange.Redis;
using static Strata.Jobs.Redis.RedisValues;

namespace Strata.Jobs.Redis;

/// <summary>
/// The backend's background loop: creates the consumer groups, promotes due delayed jobs into the work streams,
/// measures queue depth, and runs the heartbeat; it pauses while Redis is out of reach.
/// </summary>
internal sealed class RedisMaintenance
{
    private const int PromoteBatch = 500;

    private readonly RedisBackendContext _context;
    private readonly RedisSubscriptions _subscriptions;
    private readonly RedisHeartbeat _heartbeat;
    private readonly ConcurrentDictionary<string, long> _depth = new(StringComparer.Ordinal);
    private readonly TimeSpan _heartbeatInterval;

    public RedisMaintenance(RedisBackendContext context, RedisSubscriptions subscriptions, RedisHeartbeat heartbeat)
    {
        _context = context;
        _subscriptions = subscriptions;
        _heartbeat = heartbeat;
        _heartbeatInterval = context.Options.LeaseTime / 3;
    }

    /// <summary>Jobs waiting in the queue's stream (not yet read by any worker), as of the last loop.</summary>
    public long GetDepth(string queue) => _depth.TryGetValue(queue, out var depth) ? depth : 0;

    public async Task RunAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        var nextHeartbeat = _context.Time.GetUtcNow();
        var nextConsumerSweep = nextHeartbeat + (_context.Options.LeaseTime * 10);
        var groupsReady = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            var wait = _context.Options.PollInterval;
            try
            {
                var db = await _context.DatabaseAsync().ConfigureAwait(false);
                if (_context.Connection.Outage.IsDown)
                {
                    // Promotion, heartbeat and reaper pause until Redis is back (an event, or the outage's own check).
                    await _context.Connection.Outage.WaitUntilUpAsync(cancellationToken).ConfigureAwait(false);
                    groupsReady = false;
                }

                await _subscriptions.SubscribeAsync().ConfigureAwait(false);
                if (!groupsReady)
                {
                    foreach (var queue in queues)
                    {
                        await EnsureGroupAsync(db, _context.KeysOf(queue)).ConfigureAwait(false);
                    }

                    groupsReady = true;
                }

                var now = _context.Time.GetUtcNow();
                foreach (var queue in queues)
                {
                    var keys = _context.KeysOf(queue);
                    var result = (RedisResult[])(await RedisScript.Promote.EvaluateAsync(
                        db,
                        [keys.Delayed, keys.Stream],
                        [Ms(now), PromoteBatch, keys.WakeChannel, keys.JobPrefix, keys.IndexPrefix]).ConfigureAwait(false))!;
                    var nextDue = (long)result[1];
                    if ((long)result[0] >= PromoteBatch)
                    {
                        wait = TimeSpan.Zero;
                    }
                    else if (nextDue >= 0)
                    {
                        var until = DateTimeOffset.FromUnixTimeMilliseconds(nextDue) - now;
                        if (until < wait)
                        {
                            wait = until < TimeSpan.Zero ? TimeSpan.Zero : until;
                        }
                    }

                    // Finished jobs whose status expired leave the search indexes (nothing there outlives retention).
                    await RedisSearch.SweepAsync(db, keys).ConfigureAwait(false);
                    var length = await db.StreamLengthAsync(keys.Stream).ConfigureAwait(false);
                    var pending = await db.StreamPendingAsync(keys.Stream, _context.Options.ConsumerGroup).ConfigureAwait(false);
                    _depth[queue] = Math.Max(0, length - pending.PendingMessageCount);
                }

                if (now >= nextHeartbeat)
                {
                    await _heartbeat.HeartbeatAsync(db).ConfigureAwait(false);
                    nextHeartbeat = now + _heartbeatInterval;
                }

                if (now >= nextConsumerSweep)
                {
                    foreach (var queue in queues)
                    {
                        await _heartbeat.RemoveGoneConsumersAsync(db, _context.KeysOf(queue)).ConfigureAwait(false);
                    }

                    nextConsumerSweep = now + (_context.Options.LeaseTime * 10);
                }

                var untilHeartbeat = nextHeartbeat - now;
                if (untilHeartbeat < wait)
                {
                    wait = untilHeartbeat;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                if (!_context.Connection.Outage.Absorb(ex))
                {
                    RedisJobsLog.BackgroundFailed(_context.Logger, ex);
                }

                groupsReady = false;
                wait = TimeSpan.FromSeconds(1);
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var signalled = _subscriptions.WaitForScheduleChangeAsync(wake.Token);
            var elapsed = Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, _context.Time, wake.Token);
            await Task.WhenAny(signalled, elapsed).ConfigureAwait(false);
            await wake.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(signalled, elapsed).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task EnsureGroupAsync(IDatabase db, RedisQueueKeys keys)
    {
        try
        {
            await db.StreamCreateConsumerGroupAsync(keys.Stream, _context.Options.ConsumerGroup, "0", createStream: true).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another worker created it.
        }
    }
}
