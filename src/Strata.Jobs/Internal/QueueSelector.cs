namespace Strata.Jobs.Internal;

/// <summary>
/// Orders the queues for each dispatch round by smooth weighted round-robin: over any run of
/// (sum of weights) rounds, each queue with work comes first in proportion to its weight, so none starves.
/// Used by the single dispatch loop only.
/// </summary>
internal sealed class QueueSelector
{
    private readonly QueueState[] _queues;
    private readonly QueueState[] _order;
    private readonly int _totalWeight;

    public QueueSelector(IReadOnlyList<JobQueueOptions> queues)
    {
        _queues = [.. queues.Select(q => new QueueState(q.Name, q.Weight, q.MaxConcurrency ?? int.MaxValue))];
        _order = new QueueState[_queues.Length];
        _totalWeight = _queues.Sum(q => q.Weight);
        Names = [.. _queues.Select(q => q.Name)];
    }

    public int Count => _queues.Length;

    public IReadOnlyList<string> Names { get; }

    /// <summary>
    /// The queues in the order to try this round: the weighted pick first, then the others. The array is reused by
    /// the next call (only the dispatch loop calls it).
    /// </summary>
    public QueueState[] Order()
    {
        if (_queues.Length == 1)
        {
            return _queues;
        }

        var best = 0;
        for (var i = 0; i < _queues.Length; i++)
        {
            _queues[i].Current += _queues[i].Weight;
            if (_queues[i].Current > _queues[best].Current)
            {
                best = i;
            }
        }

        _queues[best].Current -= _totalWeight;
        for (var i = 0; i < _queues.Length; i++)
        {
            _order[i] = _queues[(best + i) % _queues.Length];
        }

        return _order;
    }

    /// <summary>The queues that have room for another running job; <paramref name="all"/> is true when that is every queue.</summary>
    public IReadOnlyList<string> OpenQueueNames(out bool all)
    {
        all = _queues.All(q => q.Room > 0);
        return all ? Names : [.. _queues.Where(q => q.Room > 0).Select(q => q.Name)];
    }

    internal sealed class QueueState(string name, int weight, int maxConcurrency)
    {
        public int Running;

        public string Name { get; } = name;

        public int Weight { get; } = weight;

        public int Current { get; set; }

        public int Room => maxConcurrency - Volatile.Read(ref Running);
    }
}
