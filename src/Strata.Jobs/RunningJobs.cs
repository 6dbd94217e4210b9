using System.Collections.Concurrent;

namespace Strata.Jobs;

/// <summary>The jobs running on this host, so a cancel request (local or from another node) reaches the handler's token.</summary>
internal sealed class RunningJobs
{
    private readonly ConcurrentDictionary<string, Entry> _running = new(StringComparer.Ordinal);

    public Entry Register(string jobId, CancellationTokenSource source)
    {
        var entry = new Entry(this, jobId, source);
        _running[jobId] = entry;
        return entry;
    }

    public bool IsRunning(string jobId) => _running.ContainsKey(jobId);

    /// <summary>Cancels the job if it runs here.</summary>
    public bool TryCancel(string jobId)
    {
        if (!_running.TryGetValue(jobId, out var entry))
        {
            return false;
        }

        entry.RequestCancel();
        return true;
    }

    internal sealed class Entry(RunningJobs owner, string jobId, CancellationTokenSource source) : IDisposable
    {
        private int _cancelRequested;

        public bool CancelRequested => Volatile.Read(ref _cancelRequested) == 1;

        public void RequestCancel()
        {
            if (Interlocked.Exchange(ref _cancelRequested, 1) == 0)
            {
                try
                {
                    source.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The job finished meanwhile.
                }
            }
        }

        public void Dispose() => owner._running.TryRemove(new KeyValuePair<string, Entry>(jobId, this));
    }
}

/// <summary>An awaitable auto-reset signal: <see cref="Set"/> wakes the current or next waiter.</summary>
internal sealed class AsyncSignal
{
    private readonly object _gate = new();
    private TaskCompletionSource _source = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _set;

    public void Set()
    {
        TaskCompletionSource source;
        lock (_gate)
        {
            _set = true;
            source = _source;
        }

        source.TrySetResult();
    }

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        Task task;
        lock (_gate)
        {
            if (_set)
            {
                _set = false;
                _source = new(TaskCreationOptions.RunContinuationsAsynchronously);
                return;
            }

            task = _source.Task;
        }

        await task.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (_set)
            {
                _set = false;
                _source = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }
}
