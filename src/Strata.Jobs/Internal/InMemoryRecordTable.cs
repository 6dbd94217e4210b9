namespace Strata.Jobs.Internal;

/// <summary>
/// The records, in segments of 4,096 slots that are allocated as needed and never shrink (the table holds as
/// many records as were ever live at once); free slots are reused most recently freed first.
/// </summary>
internal sealed class InMemoryRecordTable
{
    private const int SegmentShift = 12;
    private const int SegmentSize = 1 << SegmentShift;
    private const int SegmentMask = SegmentSize - 1;

    private readonly object _gate = new();
    private InMemoryJobRecord[]?[] _segments = new InMemoryJobRecord[]?[16];
    private readonly Stack<int> _free = new(1024);
    private int _count;

    public int InUse
    {
        get
        {
            lock (_gate)
            {
                return _count - _free.Count;
            }
        }
    }

    /// <summary>Slots ever used: every record is at a slot below this.</summary>
    public int Count => Volatile.Read(ref _count);

    public InMemoryJobRecord Rent()
    {
        lock (_gate)
        {
            if (_free.TryPop(out var free))
            {
                return Get(free)!;
            }

            var slot = _count;
            if (slot == int.MaxValue)
            {
                throw new InvalidOperationException("The in-memory job store is full; shorten JobsOptions.RetentionPeriod.");
            }

            var segment = slot >> SegmentShift;
            var segments = _segments;
            if (segment == segments.Length)
            {
                Array.Resize(ref segments, segments.Length * 2);
                Volatile.Write(ref _segments, segments);
            }

            var records = segments[segment] ??= new InMemoryJobRecord[SegmentSize];
            var record = new InMemoryJobRecord(slot);
            Volatile.Write(ref records[slot & SegmentMask], record);
            Volatile.Write(ref _count, slot + 1);
            return record;
        }
    }

    public void Return(InMemoryJobRecord record)
    {
        lock (_gate)
        {
            _free.Push(record.Slot);
        }
    }

    public InMemoryJobRecord? Get(int slot)
    {
        var segments = Volatile.Read(ref _segments);
        var segment = slot >> SegmentShift;
        return segment < segments.Length && Volatile.Read(ref segments[segment]) is { } records
            ? Volatile.Read(ref records[slot & SegmentMask])
            : null;
    }
}
