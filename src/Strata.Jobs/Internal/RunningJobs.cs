using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// The jobs running on this host, so a cancel request (local or from another node) reaches the handler's token.
/// A job takes a free entry of an array for the time it runs (no allocation or string hashing per job); a cancel
/// request, which is rare, looks through the entries in use. The array grows to the most jobs ever running at once.
/// </summary>
internal sealed class RunningJobs : IRunningJobs
{
    private readonly object _gate = new();
    private readonly Stack<int> _free = new(Enumerable.Range(0, 16).Reverse());
    private WorkerJobContext?[] _entries = new WorkerJobContext?[16];

    public void Register(WorkerJobContext context)
    {
        lock (_gate)
        {
            if (!_free.TryPop(out var index))
            {
                // Full: double the table and take the first new entry (the rest are free).
                index = _entries.Length;
                Array.Resize(ref _entries, index * 2);
                for (var i = (index * 2) - 1; i > index; i--)
                {
                    _free.Push(i);
                }
            }

            _entries[index] = context;
            context.RunningIndex = index;
        }
    }

    public void Unregister(WorkerJobContext context)
    {
        lock (_gate)
        {
            var index = context.RunningIndex;
            if (index >= 0 && ReferenceEquals(_entries[index], context))
            {
                _entries[index] = null;
                _free.Push(index);
                context.RunningIndex = -1;
            }
        }
    }

    public bool IsRunning(string jobId) => Find(jobId) is not null;

    /// <summary>Cancels the job if it runs here.</summary>
    public bool TryCancel(string jobId)
    {
        if (Find(jobId) is not { } context)
        {
            return false;
        }

        context.RequestCancel();
        return true;
    }

    private WorkerJobContext? Find(string jobId)
    {
        lock (_gate)
        {
            foreach (var context in _entries)
            {
                if (context is not null && string.Equals(context.JobId, jobId, StringComparison.Ordinal))
                {
                    return context;
                }
            }
        }

        return null;
    }
}
