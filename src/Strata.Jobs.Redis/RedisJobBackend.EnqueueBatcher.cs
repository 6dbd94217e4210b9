using Strata.Jobs.Backends;

namespace Strata.Jobs.Redis;

internal sealed partial class RedisJobBackend
{
    /// <summary>
    /// Gathers the enqueues of one queue: the first starts a flush at once; those that arrive while a flush is on the
    /// wire go out together in the next one. No timer: a lone enqueue is sent at once.
    /// </summary>
    private sealed class EnqueueBatcher(RedisJobBackend backend, string queue)
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
                    await backend.EnqueueBatchAsync(queue, batch).ConfigureAwait(false);
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
    }

    /// <summary>One caller's enqueue waiting in a batch; completes with that job's outcome.</summary>
    private sealed class PendingEnqueue(JobEnvelope envelope, DateTimeOffset? runAt)
        : TaskCompletionSource<EnqueueResult>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public JobEnvelope Envelope { get; } = envelope;

        public DateTimeOffset? RunAt { get; } = runAt;
    }
}
