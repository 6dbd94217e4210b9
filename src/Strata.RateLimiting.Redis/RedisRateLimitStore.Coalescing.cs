using System.Collections.Concurrent;
using StackExchange.Redis;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Redis;

internal sealed partial class RedisRateLimitStore
{
    private readonly bool _coalesce;
    private readonly ConcurrentDictionary<int, DecisionBatcher> _slotBatchers = new();
    private DecisionBatcher? _batcher;
    private bool? _cluster;

    /// <summary>Raised as each call is handed to the connection: the hash slot of its keys (-1 off a cluster) and how many decisions it carries. Tests only.</summary>
    internal event Action<int, int>? CallSent;

    /// <summary>
    /// Queues the decision on the batcher of its Redis node (off a cluster: one for the store; on a cluster: one per
    /// hash slot, since one script's keys must share a slot) and waits for its own answer or the caller's token. A
    /// caller canceled before its batch leaves is left out of it.
    /// </summary>
    private async ValueTask<StoreDecision> DecideCoalescedAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        var database = _database ?? await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var keys = KeysOf(request);
        var slot = SlotOf(database.Multiplexer, keys[0]);
        var batcher = slot < 0
            ? _batcher ?? Interlocked.CompareExchange(ref _batcher, new DecisionBatcher(this, slot), null) ?? _batcher
            : _slotBatchers.GetOrAdd(slot, static (s, store) => new DecisionBatcher(store, s), this);
        var pending = new PendingDecision(request, keys, cancellationToken);
        var task = batcher.Add(pending);
        try
        {
            // No timer of its own: every call is bounded by the command timeout, and a batch that waited behind a call
            // that timed out fails at once (see DecisionBatcher), so no decision waits much longer than the timeout.
            return await (task.IsCompleted || !cancellationToken.CanBeCanceled ? task : task.WaitAsync(cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The caller gave up (timeout, cancellation) or the batch failed: its decision's fault is observed either way.
            _ = Observe(task);
            throw ex is RateLimitStoreException ? ex : Translate(ex, cancellationToken);
        }
    }

    /// <summary>The hash slot of a key on a cluster (where one script's keys must share a slot), -1 elsewhere.</summary>
    private int SlotOf(IConnectionMultiplexer multiplexer, RedisKey key)
    {
        var slot = multiplexer.HashSlot(key);
        if (slot >= 0)
        {
            return slot;
        }

        // A cluster of one node: the client routes it as a standalone server, the server still checks slots.
        var cluster = _cluster;
        if (cluster is null)
        {
            var servers = multiplexer.GetEndPoints().Select(e => multiplexer.GetServer(e)).ToList();
            if (servers.Any(s => s.ServerType == ServerType.Cluster))
            {
                cluster = _cluster = true;
            }
            else if (servers.Count > 0 && servers.All(s => s.IsConnected))
            {
                cluster = _cluster = false;
            }
        }

        return cluster == false ? -1 : ClusterSlot.Of(key);
    }

    /// <summary>The keys of a request, as decide.lua takes them; a one-limit policy's key is kept in the partition's slot.</summary>
    private RedisKey[] KeysOf(StoreRequest request)
    {
        var limits = request.Limits;
        if (limits.Length == 1)
        {
            return request.Slot?.StoreState as RedisKey[] ?? GcraKeys(request);
        }

        var keys = new RedisKey[limits.Length];
        var tag = RedisKeys.Tag(request.Partition);
        for (var i = 0; i < limits.Length; i++)
        {
            keys[i] = RedisKeys.Key(_prefix, request.Policy, tag, i, limits.Length);
        }

        return keys;
    }

    /// <summary>
    /// Sends a batch: a lone decision in a call of its own (the script and reply of an uncoalesced decision, so a quiet
    /// node sees no difference), else Scripts/decide_batch.lua, at most <see cref="DecisionBatcher.MaxBatch"/>
    /// decisions a call (longer batches go out as several calls, pipelined). Completes every decision of the batch.
    /// </summary>
    /// <returns>The failure when a call of the batch timed out, else null.</returns>
    private async Task<Exception?> SendAsync(int slot, List<PendingDecision> batch)
    {
        Exception? timedOut = null;
        batch.RemoveAll(static p => p.Abandoned());
        if (batch.Count == 1)
        {
            var pending = batch[0];
            CallSent?.Invoke(slot, 1);
            try
            {
                pending.TrySetResult(await DecideAloneAsync(pending.Request, CancellationToken.None).ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                pending.TrySetException(ex);
                timedOut = TimedOut(ex);
            }

            return timedOut;
        }

        var calls = new List<(int Start, int Count, Task<RedisResult> Call)>((batch.Count / DecisionBatcher.MaxBatch) + 1);
        for (var start = 0; start < batch.Count; start += DecisionBatcher.MaxBatch)
        {
            var count = Math.Min(DecisionBatcher.MaxBatch, batch.Count - start);
            CallSent?.Invoke(slot, count);
            calls.Add((start, count, EvaluateBatchAsync(batch, start, count)));
        }

        foreach (var (start, count, call) in calls)
        {
            try
            {
                Complete(batch, start, count, await call.ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                for (var i = start; i < start + count; i++)
                {
                    batch[i].TrySetException(ex);
                }

                timedOut ??= TimedOut(ex);
            }
        }

        return timedOut;
    }

    private static Exception? TimedOut(Exception ex) =>
        ex is RateLimitStoreException { InnerException: OperationCanceledException or TimeoutException } ? ex : null;

    /// <summary>KEYS and ARGV of decide_batch.lua for <paramref name="count"/> decisions from <paramref name="start"/>, and the call.</summary>
    private Task<RedisResult> EvaluateBatchAsync(List<PendingDecision> batch, int start, int count)
    {
        var keyCount = 0;
        for (var i = start; i < start + count; i++)
        {
            keyCount += batch[i].Keys.Length;
        }

        var keys = new RedisKey[keyCount];
        var values = new RedisValue[1 + (count * 3) + (keyCount * 4)];
        values[0] = TimeOffsetMicros;
        int k = 0, a = 1;
        for (var i = start; i < start + count; i++)
        {
            var request = batch[i].Request;
            var limits = request.Limits;
            batch[i].Keys.CopyTo(keys, k);
            k += limits.Length;
            if (IsLean(request))
            {
                // gcra.lua's shape: 0, cost, limit, period.
                values[a++] = 0;
                values[a++] = request.Cost;
                values[a++] = limits[0].Limit;
                values[a++] = limits[0].PeriodMicros;
                continue;
            }

            values[a++] = limits.Length;
            values[a++] = request.Cost;
            values[a++] = request.LeaseId ?? string.Empty;
            foreach (var limit in limits)
            {
                values[a++] = (int)limit.Algorithm;
                values[a++] = limit.Limit;
                values[a++] = limit.PeriodMicros;
                values[a++] = limit.TokensPerPeriod;
            }
        }

        if (a < values.Length)
        {
            Array.Resize(ref values, a);
        }

        return EvaluateAsync(LuaScriptFile.DecideBatch, keys, values, CancellationToken.None);
    }

    /// <summary>Gives each decision of a call its own answer from the script's reply (one item per decision).</summary>
    private static void Complete(List<PendingDecision> batch, int start, int count, RedisResult result)
    {
        var items = (RedisResult[]?)result ?? [];
        for (var i = 0; i < count; i++)
        {
            var pending = batch[start + i];
            try
            {
                if (i >= items.Length)
                {
                    throw new RateLimitStoreException($"The Redis batch script returned {items.Length} answers for {count} decisions.");
                }

                var request = pending.Request;
                pending.TrySetResult(IsLean(request)
                    ? GcraDecision(request.Limits[0], request.Cost, items[i])
                    : GeneralDecision(request.Limits, items[i]));
            }
            catch (RateLimitStoreException ex)
            {
                pending.TrySetException(ex);
            }
        }
    }

    /// <summary>
    /// Gathers the decisions of one Redis node (or hash slot): the first starts a call at once; those that arrive while
    /// a call is on the wire go out together, in arrival order, in the next one. No timer: a lone decision is sent at once.
    /// </summary>
    private sealed class DecisionBatcher(RedisRateLimitStore store, int slot)
    {
        public const int MaxBatch = 128;

        private readonly object _gate = new();
        private List<PendingDecision> _current = [];
        private bool _flushing;

        public Task<StoreDecision> Add(PendingDecision pending)
        {
            bool start;
            lock (_gate)
            {
                _current.Add(pending);
                start = !_flushing;
                _flushing = true;
            }

            if (start)
            {
                // Runs here up to the first round trip, then goes on by itself.
                _ = FlushAsync();
            }

            return pending.Task;
        }

        private async Task FlushAsync()
        {
            Exception? timedOut = null;
            while (true)
            {
                List<PendingDecision> batch;
                lock (_gate)
                {
                    batch = _current;
                    if (batch.Count == 0)
                    {
                        _flushing = false;
                        return;
                    }

                    _current = new(Math.Min(batch.Count, MaxBatch));
                }

                if (timedOut is not null)
                {
                    // These waited behind a call Redis did not answer in time: they fail now rather than wait another
                    // timeout, so no decision waits much longer than the command timeout.
                    foreach (var pending in batch)
                    {
                        pending.TrySetException(timedOut);
                    }

                    timedOut = null;
                    continue;
                }

                try
                {
                    timedOut = await store.SendAsync(slot, batch).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // SendAsync completes every decision itself; this only keeps the loop alive should it not.
                    foreach (var pending in batch)
                    {
                        pending.TrySetException(ex);
                    }
                }
            }
        }
    }

    /// <summary>One caller's decision waiting in a batch; completes with that decision's answer.</summary>
    private sealed class PendingDecision(StoreRequest request, RedisKey[] keys, CancellationToken cancellationToken)
        : TaskCompletionSource<StoreDecision>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public StoreRequest Request { get; } = request;

        public RedisKey[] Keys { get; } = keys;

        /// <summary>True (and the decision canceled) when the caller gave up before its batch left: nothing is sent for it.</summary>
        public bool Abandoned()
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            TrySetCanceled(cancellationToken);
            return true;
        }
    }
}
