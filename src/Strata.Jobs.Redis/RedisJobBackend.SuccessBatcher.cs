using Strata.Jobs.Backends;

namespace Strata.Jobs.Redis;

internal sealed partial class RedisJobBackend
{
    /// <summary>
    /// Gathers the successes of one queue: the first starts a flush; those that arrive while a flush is on the wire
    /// go out together in the next one. No timer: a lone success is sent at once.
    /// </summary>
    private sealed class SuccessBatcher(RedisJobBackend backend, string queue)
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
                    await backend.SucceedBatchAsync(queue, batch.Items).ConfigureAwait(false);
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
    }
}
