using System.Collections.Concurrent;

namespace Strata.Jobs;

/// <summary>The jobs running on this host, so a cancel request (local or from another node) reaches the handler's token.</summary>
internal sealed class RunningJobs
{
    private readonly ConcurrentDictionary<string, WorkerJobContext> _running = new(StringComparer.Ordinal);

    public void Register(WorkerJobContext context) => _running[context.JobId] = context;

    public void Unregister(WorkerJobContext context) =>
        _running.TryRemove(new KeyValuePair<string, WorkerJobContext>(context.JobId, context));

    public bool IsRunning(string jobId) => _running.ContainsKey(jobId);

    /// <summary>Cancels the job if it runs here.</summary>
    public bool TryCancel(string jobId)
    {
        if (!_running.TryGetValue(jobId, out var context))
        {
            return false;
        }

        context.RequestCancel();
        return true;
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
