using System.Collections.Concurrent;
using System.Text.Json;
using StackExchange.Redis;
using Strata.Jobs.Backends;
using static Strata.Jobs.Redis.RedisValues;

namespace Strata.Jobs.Redis;

/// <summary>
/// The dispatch loop's side of the backend: reads batches of jobs (reclaiming abandoned entries first, now and then),
/// marks them running in the same round trip, and waits for work: an idle consumer announces itself, so enqueues
/// wake it through Pub/Sub, and polls as a fallback. Called only by the dispatch loop.
/// </summary>
internal sealed class RedisReceiver
{
    // The start outcome decided for a whole batch at receipt, kept in the delivery's BackendState (boxed once).
    private static readonly object PreparedRun = StartStatus.Run;
    private static readonly object PreparedSkip = StartStatus.Skip;
    private static readonly object PreparedTooManyDeliveries = StartStatus.TooManyDeliveries;

    private readonly RedisBackendContext _context;
    private readonly RedisReclaimer _reclaimer;
    private readonly RedisSubscriptions _subscriptions;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _nextReclaim = new(StringComparer.Ordinal);
    private readonly HashSet<string> _announcedIdle = new(StringComparer.Ordinal);
    private bool _idleAnnounced;

    public RedisReceiver(RedisBackendContext context, RedisReclaimer reclaimer, RedisSubscriptions subscriptions)
    {
        _context = context;
        _reclaimer = reclaimer;
        _subscriptions = subscriptions;
    }

    public async ValueTask<IReadOnlyList<JobDelivery>> ReceiveAsync(string queue, int max, CancellationToken cancellationToken)
    {
        try
        {
            return await ReceiveCoreAsync(queue, max).ConfigureAwait(false);
        }
        catch (Exception ex) when (_context.Connection.Outage.Absorb(ex))
        {
            // Redis is out of reach (logged once by the outage): nothing to run; WaitForWorkAsync waits for its end.
            return [];
        }
    }

    private async Task<IReadOnlyList<JobDelivery>> ReceiveCoreAsync(string queue, int max)
    {
        var db = await _context.AvailableDatabaseAsync().ConfigureAwait(false);
        var keys = _context.KeysOf(queue);
        var now = _context.Time.GetUtcNow();
        if (!_nextReclaim.TryGetValue(queue, out var due) || due <= now)
        {
            _nextReclaim[queue] = now + (_context.Options.LeaseTime / 2);
            var reclaimed = await _reclaimer.ReclaimAsync(db, keys, max).ConfigureAwait(false);
            if (reclaimed.Count > 0)
            {
                await PrepareStartAsync(db, keys, reclaimed).ConfigureAwait(false);
                return reclaimed;
            }
        }

        // One call reads the batch and marks its jobs running (read_start.lua).
        var reply = (RedisResult[])(await RedisScript.ReadStart.EvaluateAsync(
            db,
            [keys.Stream],
            [_context.Options.ConsumerGroup, _context.Options.ConsumerName, max, Ms(now), keys.JobPrefix, keys.IndexPrefix]).ConfigureAwait(false))!;
        if (reply.Length == 0)
        {
            return [];
        }

        await WithdrawIdleAsync(db, queue, keys).ConfigureAwait(false);
        var deliveries = new List<JobDelivery>(reply.Length / 3);
        for (var i = 0; i + 2 < reply.Length; i += 3)
        {
            var id = (string)reply[i]!;
            var raw = (byte[]?)reply[i + 1];
            var outcome = (int)reply[i + 2];
            if (outcome == 0)
            {
                // Cancelled or finished before it was read: acknowledged and deleted by the script.
                continue;
            }

            JobEnvelope? envelope = null;
            try
            {
                envelope = raw is null or { Length: 0 } ? null : Deserialize(raw);
            }
            catch (JsonException ex)
            {
                RedisJobsLog.UnreadableEntry(_context.Logger, id, ex);
            }

            if (envelope is null || outcome != 1)
            {
                // Not an envelope this library wrote: keep it for inspection, out of the work stream.
                await _reclaimer.DeadLetterUnreadableAsync(db, keys, id, raw).ConfigureAwait(false);
                continue;
            }

            _context.InFlight[id] = (envelope.Queue, envelope.Id);
            deliveries.Add(new JobDelivery(envelope, id) { BackendState = PreparedRun });
        }

        return deliveries;
    }

    public async ValueTask WaitForWorkAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        try
        {
            await _context.Connection.GetAsync().ConfigureAwait(false);
            await _context.Connection.Outage.WaitUntilUpAsync(cancellationToken).ConfigureAwait(false);
            await WaitForWorkCoreAsync(queues, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (_context.Connection.Outage.Absorb(ex))
        {
            await _context.Connection.Outage.WaitUntilUpAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForWorkCoreAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        await _subscriptions.SubscribeAsync().ConfigureAwait(false);
        if (!_idleAnnounced)
        {
            // Enqueues wake workers only when one has said it is about to wait. Say so, and return without waiting:
            // the caller reads the queues once more, which sees every job added before this announcement; a job
            // added after it sends the wake-up. The announcement lasts two poll intervals, longer than one wait.
            await AnnounceIdleAsync(queues).ConfigureAwait(false);
            _idleAnnounced = true;
            return;
        }

        _idleAnnounced = false;
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signalled = _subscriptions.WaitForWakeAsync(wake.Token);
        var poll = Task.Delay(_context.Options.PollInterval, _context.Time, wake.Token);
        await Task.WhenAny(signalled, poll).ConfigureAwait(false);
        await wake.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(signalled, poll).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Adds this consumer to the idle set of each queue (score: until when, unix ms) and drops members whose time
    /// has passed (stopped hosts). Called only by the dispatch loop, like <see cref="ReceiveAsync"/>.
    /// </summary>
    private async Task AnnounceIdleAsync(IReadOnlyList<string> queues)
    {
        var db = await _context.DatabaseAsync().ConfigureAwait(false);
        var now = _context.Time.GetUtcNow();
        var until = (now + (_context.Options.PollInterval * 2)).ToUnixTimeMilliseconds();
        var calls = new List<Task>(queues.Count * 2);
        foreach (var queue in queues)
        {
            var keys = _context.KeysOf(queue);
            calls.Add(db.SortedSetRemoveRangeByScoreAsync(keys.Idle, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), Exclude.Stop));
            calls.Add(db.SortedSetAddAsync(keys.Idle, _context.Options.ConsumerName, until));
            _announcedIdle.Add(queue);
        }

        await Task.WhenAll(calls).ConfigureAwait(false);
    }

    /// <summary>Takes this consumer out of a queue's idle set once it reads work there, so busy queues send no wake-ups.</summary>
    private async Task WithdrawIdleAsync(IDatabase db, string queue, RedisQueueKeys keys)
    {
        _idleAnnounced = false;
        if (_announcedIdle.Remove(queue))
        {
            await db.SortedSetRemoveAsync(keys.Idle, _context.Options.ConsumerName).ConfigureAwait(false);
        }
    }

    /// <summary>Marks a batch of received jobs running in one script call; each delivery keeps its outcome for <see cref="RedisJobBackend.StartAsync"/>.</summary>
    private async Task PrepareStartAsync(IDatabase db, RedisQueueKeys keys, IReadOnlyList<JobDelivery> deliveries)
    {
        if (deliveries.Count == 0)
        {
            return;
        }

        var scriptKeys = new RedisKey[deliveries.Count + 1];
        var values = new RedisValue[4 + (3 * deliveries.Count)];
        scriptKeys[0] = keys.Stream;
        values[0] = _context.Options.ConsumerGroup;
        values[1] = Ms(_context.Time.GetUtcNow());
        values[2] = _context.Options.MaxDeliveries;
        values[3] = keys.IndexPrefix;
        for (var i = 0; i < deliveries.Count; i++)
        {
            var delivery = deliveries[i];
            scriptKeys[i + 1] = keys.Job(delivery.Envelope.Id);
            values[4 + (3 * i)] = delivery.Receipt;
            values[5 + (3 * i)] = delivery.Envelope.Attempt;
            values[6 + (3 * i)] = delivery.DeliveryCount;
        }

        RedisResult[] outcomes;
        try
        {
            outcomes = (RedisResult[])(await RedisScript.StartBatch.EvaluateAsync(db, scriptKeys, values).ConfigureAwait(false))!;
        }
        catch
        {
            // Not handed to a worker: stop heart-beating them, so their lease runs out and they are delivered again.
            foreach (var delivery in deliveries)
            {
                _context.InFlight.TryRemove(delivery.Receipt!, out _);
            }

            throw;
        }

        for (var i = 0; i < deliveries.Count; i++)
        {
            var delivery = deliveries[i];
            switch ((int)outcomes[i])
            {
                case 0:
                    delivery.BackendState = PreparedSkip;
                    _context.InFlight.TryRemove(delivery.Receipt!, out _);
                    break;
                case 2:
                    delivery.BackendState = PreparedTooManyDeliveries;
                    break;
                default:
                    delivery.BackendState = PreparedRun;
                    break;
            }
        }
    }
}
