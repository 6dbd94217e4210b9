namespace Strata.Jobs.Internal;

/// <summary>Wakes the producers waiting for room in a queue, all at once.</summary>
internal sealed class RoomSignal
{
    private readonly object _gate = new();
    private TaskCompletionSource? _waiting;

    public bool HasWaiters => Volatile.Read(ref _waiting) is not null;

    public Task WaitAsync()
    {
        lock (_gate)
        {
            return (_waiting ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    public void Release()
    {
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            waiting = _waiting;
            _waiting = null;
        }

        waiting?.TrySetResult();
    }
}
