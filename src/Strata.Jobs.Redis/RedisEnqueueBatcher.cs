using StackExchange.Redis;
using Strata.Jobs.Backends;
using static Strata.Jobs.Redis.RedisValues;

namespace Strata.Jobs.Redis;

/// <summary>
/// Gathers the enqueues of one queue: the first starts a flush at once; those that arrive while a flush is on the
/// wire go out together in the next one. No timer: a lone enqueue is sent at once.
/// </summary>
internal sealed class RedisEnqueueBatcher(RedisBackendContext context, string queue)
{
    public const int MaxBatch = 128;

    private readonly object _gate = new();
    private List<PendingEnqueue> _current = [];
    private bool _flushing;

    public Task<EnqueueResult> Add(JobEnvelope envelope, DateTimeOffset? runAt)
    {
        var pending = new PendingEnqueue(envelope, runAt);
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
        while (true)
        {
            List<PendingEnqueue> batch;
            lock (_gate)
            {
                batch = _current;
                if (batch.Count == 0)
                {
                    _flushing = false;
                    return;
                }

                _current = new(batch.Count);
            }

            try
            {
                await WriteAsync(batch).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // EnqueueBatchAsync completes every item itself; this only keeps the loop alive should it not.
                foreach (var pending in batch)
                {
                    pending.TrySetException(ex);
                }
            }
        }
    }

    /// <summary>
    /// Adds a batch of jobs of one queue, one script call per (at most) <see cref="MaxBatch"/> jobs, and
    /// completes each job's task with its outcome or the call's error. Never throws.
    /// </summary>
    private async Task WriteAsync(List<PendingEnqueue> batch)
    {
        var keys = context.KeysOf(queue);
        IDatabase db;
        try
        {
            // While Redis is out of reach the batch fails at once, unsent: its callers know the jobs were not queued.
            db = await context.AvailableDatabaseAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.TrySetException(ex);
            }

            return;
        }

        var lifetime = (long)context.Jobs.IdempotencyKeyLifetime.TotalMilliseconds;
        var now = Ms(context.Time.GetUtcNow());
        var calls = new List<(int Start, int Count, Task<RedisResult> Call)>((batch.Count / MaxBatch) + 1);
        for (var start = 0; start < batch.Count; start += MaxBatch)
        {
            var count = Math.Min(MaxBatch, batch.Count - start);
            Task<RedisResult> call;
            try
            {
                var scriptKeys = new RedisKey[3 + (2 * count)];
                var values = new RedisValue[5 + (9 * count)];
                scriptKeys[0] = keys.Stream;
                scriptKeys[1] = keys.Delayed;
                scriptKeys[2] = keys.Idle;
                values[0] = keys.WakeChannel;
                values[1] = lifetime;
                values[2] = queue;
                values[3] = now;
                values[4] = keys.IndexPrefix;
                for (var i = 0; i < count; i++)
                {
                    var pending = batch[start + i];
                    var envelope = pending.Envelope;
                    scriptKeys[3 + (2 * i)] = keys.Job(envelope.Id);
                    scriptKeys[4 + (2 * i)] = envelope.IdempotencyKey is { } idempotencyKey ? keys.Idempotency(idempotencyKey) : keys.NoIdempotency;
                    var a = 5 + (9 * i);
                    values[a] = envelope.Id;
                    values[a + 1] = Serialize(envelope);
                    values[a + 2] = pending.RunAt is { } at ? Ms(at) : RedisValue.EmptyString;
                    values[a + 3] = envelope.IdempotencyKey is null ? 0 : 1;
                    values[a + 4] = envelope.JobType;
                    values[a + 5] = envelope.MaxAttempts;
                    values[a + 6] = envelope.Owner ?? string.Empty;
                    values[a + 7] = Ms(envelope.CreatedAt);
                    values[a + 8] = RedisIndexMember.Of(envelope.CreatedAt, envelope.Id);
                }

                call = RedisScript.EnqueueBatch.EvaluateAsync(db, scriptKeys, values);
            }
            catch (Exception ex)
            {
                call = Task.FromException<RedisResult>(ex);
            }

            calls.Add((start, count, call));
        }

        foreach (var (start, count, call) in calls)
        {
            try
            {
                var reply = (RedisResult[])(await call.ConfigureAwait(false))!;
                for (var i = 0; i < count; i++)
                {
                    var pending = batch[start + i];
                    pending.TrySetResult((int)reply[2 * i] == 1
                        ? new(EnqueueStatus.Enqueued, pending.Envelope.Id)
                        : new(EnqueueStatus.Duplicate, (string?)reply[(2 * i) + 1]));
                }
            }
            catch (Exception ex)
            {
                for (var i = 0; i < count; i++)
                {
                    batch[start + i].TrySetException(ex);
                }
            }
        }
    }
}
