namespace Strata.Threading;

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
