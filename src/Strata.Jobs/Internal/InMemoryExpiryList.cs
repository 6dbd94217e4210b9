namespace Strata.Jobs.Internal;

/// <summary>Finished records in the order they finished, which is the order they expire (the retention period is one for all).</summary>
internal sealed class InMemoryExpiryList
{
    private readonly Queue<Entry> _entries = new(1024);

    public void Add(InMemoryJobRecord record, int generation, DateTimeOffset expiresAt)
    {
        lock (_entries)
        {
            _entries.Enqueue(new Entry(record, generation, expiresAt.UtcTicks));
        }
    }

    /// <summary>Moves up to <paramref name="max"/> entries due at <paramref name="now"/> into <paramref name="due"/>; false when none was due.</summary>
    public bool TakeDue(DateTimeOffset now, List<Entry> due, int max)
    {
        var ticks = now.UtcTicks;
        lock (_entries)
        {
            while (due.Count < max && _entries.TryPeek(out var next) && next.ExpiresAt <= ticks)
            {
                due.Add(_entries.Dequeue());
            }
        }

        return due.Count > 0;
    }

    public readonly record struct Entry(InMemoryJobRecord Record, int Generation, long ExpiresAt);
}
