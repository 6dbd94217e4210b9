namespace Strata.Jobs.Internal;

/// <summary>
/// Orders the queues for each dispatch round by smooth weighted round-robin: over any run of
/// (sum of weights) rounds, each queue with work comes first in proportion to its weight, so none starves.
/// A paused queue (<see cref="QueueState.Paused"/>, set by <see cref="PausedQueues"/>) takes no part: it is left out
/// of the order and of the weights, so the others keep their shares among themselves. Used by the single dispatch
/// loop only.
/// </summary>
internal sealed class QueueSelector
{
    private readonly QueueState[] _queues;
    private readonly QueueState[] _order;

    public QueueSelector(IReadOnlyList<JobQueueOptions> queues)
    {
        // A host never runs more jobs of a queue than the fleet may: receiving more would only defer them again.
        _queues = [.. queues.Select(q => new QueueState(q.Name, q.Weight, Math.Min(q.MaxConcurrency ?? int.MaxValue, q.FleetMaxConcurrency ?? int.MaxValue)))];
        _order = new QueueState[_queues.Length];
        Names = [.. _queues.Select(q => q.Name)];
    }

    public int Count => _queues.Length;

    public IReadOnlyList<string> Names { get; }

    /// <summary>Every queue's state, in configuration order.</summary>
    public IReadOnlyList<QueueState> Queues => _queues;

    /// <summary>
    /// The queues to try this round, paused ones left out: the weighted pick first, then the others. The array behind
    /// the segment is reused by the next call (only the dispatch loop calls it).
    /// </summary>
    public ArraySegment<QueueState> Order()
    {
        var count = 0;
        var totalWeight = 0;
        var best = -1;
        for (var i = 0; i < _queues.Length; i++)
        {
            var queue = _queues[i];
            if (queue.Paused)
            {
                continue;
            }

            _order[count++] = queue;
            totalWeight += queue.Weight;
            queue.Current += queue.Weight;
            if (best < 0 || queue.Current > _order[best].Current)
            {
                best = count - 1;
            }
        }

        if (count <= 1)
        {
            return new ArraySegment<QueueState>(_order, 0, count);
        }

        _order[best].Current -= totalWeight;
        if (best > 0)
        {
            // Rotate so the pick comes first and the others follow in their configured order.
            Array.Reverse(_order, 0, best);
            Array.Reverse(_order, best, count - best);
            Array.Reverse(_order, 0, count);
        }

        return new ArraySegment<QueueState>(_order, 0, count);
    }

    /// <summary>
    /// The queues that are not paused and have room for another running job; <paramref name="all"/> is true when that
    /// is every queue, <paramref name="anyPaused"/> when some queue is paused.
    /// </summary>
    public IReadOnlyList<string> OpenQueueNames(out bool all, out bool anyPaused)
    {
        anyPaused = _queues.Any(q => q.Paused);
        all = !anyPaused && _queues.All(q => q.Room > 0);
        return all ? Names : [.. _queues.Where(q => !q.Paused && q.Room > 0).Select(q => q.Name)];
    }

    internal sealed class QueueState(string name, int weight, int maxConcurrency)
    {
        public int Running;

        private volatile bool _paused;

        public string Name { get; } = name;

        public int Weight { get; } = weight;

        public int Current { get; set; }

        public int Room => maxConcurrency - Volatile.Read(ref Running);

        /// <summary>True while the queue is paused fleet-wide, as this host last read it.</summary>
        public bool Paused
        {
            get => _paused;
            set => _paused = value;
        }
    }
}
