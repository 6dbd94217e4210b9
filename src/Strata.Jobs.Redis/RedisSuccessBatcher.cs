using StackExchange.Redis;
using Strata.Jobs.Backends;
using static Strata.Jobs.Redis.RedisValues;

namespace Strata.Jobs.Redis;

/// <summary>
/// Gathers the successes of one queue: the first starts a flush; those that arrive while a flush is on the wire
/// go out together in the next one. No timer: a lone success is sent at once.
/// </summary>
internal sealed class RedisSuccessBatcher(RedisBackendContext context, string queue)
{
    public const int MaxBatch = 256;

    private readonly object _gate = new();
    private Batch _current = new();
    private bool _flushing;

    public Task Add(JobDelivery delivery, string? result)
    {
        Batch batch;
        bool start;
        lock (_gate)
        {
            batch = _current;
            batch.Items.Add((delivery, result));
            start = !_flushing;
            _flushing = true;
        }

        if (start)
        {
            _ = Task.Run(FlushAsync);
        }

        return batch.Done.Task;
    }

    private async Task FlushAsync()
    {
        while (true)
        {
            Batch batch;
            lock (_gate)
            {
                batch = _current;
                if (batch.Items.Count == 0)
                {
                    _flushing = false;
                    return;
                }

                _current = new();
            }

            try
            {
                await WriteAsync(batch.Items).ConfigureAwait(false);
                batch.Done.TrySetResult();
            }
            catch (Exception ex)
            {
                // Each job's worker logs it; the entries stay pending and are delivered again after the lease.
                batch.Done.TrySetException(ex);
            }
        }
    }

    private sealed class Batch
    {
        public List<(JobDelivery Delivery, string? Result)> Items { get; } = [];

        /// <summary>
        /// Completes when the batch is recorded. Its only awaiters are the worker's job loops, whose remainder after a
        /// success is a metric and the slot bookkeeping, so they run on the flushing thread: no thread-pool work
        /// item (and wake-up) per job.
        /// </summary>
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.None);
    }

    /// <summary>Records succeeded jobs of one queue in one script call per (at most) <see cref="MaxBatch"/> jobs.</summary>
    private async Task WriteAsync(List<(JobDelivery Delivery, string? Result)> items)
    {
        var db = await context.DatabaseAsync().ConfigureAwait(false);
        var keys = context.KeysOf(queue);
        var now = Ms(context.Time.GetUtcNow());
        var calls = new List<Task>();
        for (var start = 0; start < items.Count; start += MaxBatch)
        {
            var count = Math.Min(MaxBatch, items.Count - start);
            var scriptKeys = new RedisKey[count + 1];
            var values = new RedisValue[4 + (2 * count)];
            scriptKeys[0] = keys.Stream;
            values[0] = context.Options.ConsumerGroup;
            values[1] = now;
            values[2] = context.RetentionMs;
            values[3] = keys.IndexPrefix;
            for (var i = 0; i < count; i++)
            {
                var (delivery, result) = items[start + i];
                scriptKeys[i + 1] = keys.Job(delivery.Envelope.Id);
                values[4 + (2 * i)] = delivery.Receipt;
                values[5 + (2 * i)] = result ?? string.Empty;
            }

            calls.Add(RedisScript.SucceedBatch.EvaluateAsync(db, scriptKeys, values));
        }

        try
        {
            await Task.WhenAll(calls).ConfigureAwait(false);
        }
        finally
        {
            // Recorded, or not (then the entries stay pending and, no longer heart-beaten, are delivered again after the lease).
            foreach (var (delivery, _) in items)
            {
                context.InFlight.TryRemove(delivery.Receipt!, out _);
            }
        }
    }
}
