using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Strata.RateLimiting.Internal.Statistics;

/// <summary>
/// How often each partition of one policy was denied, in a bounded table. A known partition costs a lock-free lookup
/// and an <see cref="Interlocked"/> increment; a new one is added while the table has room. When a flood of distinct
/// partitions (a scan over addresses, random keys) fills it, new partitions are turned away, and after
/// <c>capacity / 2</c> of them the least denied half of the table is dropped (by whichever caller gets the lock
/// without waiting), so the heavy hitters stay and new ones can enter. Memory: about <paramref name="capacity"/>
/// entries of at most <see cref="MaxKeyLength"/> characters.
/// </summary>
internal sealed class DeniedPartitions(int capacity = DeniedPartitions.DefaultCapacity)
{
    public const int DefaultCapacity = 1000;
    public const int MaxKeyLength = 200;

    private readonly ConcurrentDictionary<string, StrongBox<long>> _counts = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private int _size;
    private int _turnedAway;

    /// <summary>The partitions held now.</summary>
    public int Count => Volatile.Read(ref _size);

    public void Add(string partition)
    {
        if (partition.Length > MaxKeyLength)
        {
            partition = string.Concat(partition.AsSpan(0, MaxKeyLength), "…");
        }

        if (_counts.TryGetValue(partition, out var count))
        {
            Interlocked.Increment(ref count.Value);
            return;
        }

        if (Volatile.Read(ref _size) < capacity)
        {
            var added = new StrongBox<long>(0);
            var held = _counts.GetOrAdd(partition, added);
            if (ReferenceEquals(held, added))
            {
                Interlocked.Increment(ref _size);
            }

            Interlocked.Increment(ref held.Value);
            return;
        }

        if (Interlocked.Increment(ref _turnedAway) >= Math.Max(1, capacity / 2) && Monitor.TryEnter(_gate))
        {
            try
            {
                DropLeastDenied();
            }
            finally
            {
                Monitor.Exit(_gate);
            }
        }
    }

    /// <summary>The <paramref name="count"/> partitions denied most, most first.</summary>
    public RateLimitPartitionCount[] Top(int count) =>
        [.. _counts.Select(p => new RateLimitPartitionCount(p.Key, Volatile.Read(ref p.Value.Value)))
            .OrderByDescending(p => p.Denied).ThenBy(p => p.Partition, StringComparer.Ordinal).Take(count)];

    private void DropLeastDenied()
    {
        var entries = _counts.Select(p => (p.Key, Count: Volatile.Read(ref p.Value.Value))).OrderBy(p => p.Count).ToArray();
        var drop = entries.Length - (capacity / 2);
        for (var i = 0; i < drop; i++)
        {
            if (_counts.TryRemove(entries[i].Key, out _))
            {
                Interlocked.Decrement(ref _size);
            }
        }

        Volatile.Write(ref _turnedAway, 0);
    }
}
