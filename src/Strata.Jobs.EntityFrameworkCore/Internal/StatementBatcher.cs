namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>
/// Group commit: items that arrive while a flush is on the wire go out together in the next one, as one command in one
/// transaction, so N concurrent enqueues or successes cost one round trip and one commit instead of N. No timer: a lone
/// item is flushed at once. Each caller's task completes when its batch is committed (or fails with the batch's error).
/// </summary>
internal sealed class StatementBatcher<TItem>(Func<IReadOnlyList<TItem>, Task> flush, int maxBatch)
{
    private readonly object _gate = new();
    private readonly Queue<Batch> _waiting = new();
    private Batch? _tail;
    private bool _flushing;

    public Task Add(TItem item)
    {
        Batch batch;
        bool start;
        lock (_gate)
        {
            // The newest waiting batch while it has room; batches on the wire have left the queue.
            if (_tail is not { } tail || tail.Items.Count >= maxBatch)
            {
                tail = new Batch();
                _waiting.Enqueue(tail);
                _tail = tail;
            }

            batch = tail;

            batch.Items.Add(item);
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
                if (!_waiting.TryDequeue(out batch!))
                {
                    _flushing = false;
                    return;
                }

                if (_waiting.Count == 0)
                {
                    _tail = null;
                }
            }

            try
            {
                await flush(batch.Items).ConfigureAwait(false);
                batch.Done.TrySetResult();
            }
            catch (Exception ex)
            {
                batch.Done.TrySetException(ex);
            }
        }
    }

    private sealed class Batch
    {
        public List<TItem> Items { get; } = [];

        /// <summary>Continuations run asynchronously: a caller's remainder never holds up the next flush.</summary>
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
