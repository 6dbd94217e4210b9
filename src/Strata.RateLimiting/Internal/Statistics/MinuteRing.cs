namespace Strata.RateLimiting.Internal.Statistics;

/// <summary>
/// The last <see cref="Length"/> minutes of one policy, one bucket per slot. A decision finds its bucket without a
/// lock: the slot's bucket when it is this minute's, else a new one swapped in with <see cref="Interlocked.CompareExchange{T}(ref T, T, T)"/>
/// (once per slot and minute). Memory is fixed: <see cref="Length"/> buckets at most.
/// </summary>
internal sealed class MinuteRing
{
    public const int Length = 15;

    private readonly MinuteBucket?[] _slots = new MinuteBucket?[Length];

    /// <summary>The bucket of <paramref name="minute"/>.</summary>
    public MinuteBucket For(long minute)
    {
        var index = (int)(minute % Length);
        var bucket = Volatile.Read(ref _slots[index]);
        return bucket is not null && bucket.Minute == minute ? bucket : Roll(index, minute, bucket);
    }

    /// <summary>The buckets of the <see cref="Length"/> minutes up to <paramref name="now"/>, oldest first; null where nothing was counted.</summary>
    public MinuteBucket?[] Snapshot(long now)
    {
        var result = new MinuteBucket?[Length];
        for (var i = 0; i < Length; i++)
        {
            var minute = now - Length + 1 + i;
            var bucket = Volatile.Read(ref _slots[(int)(minute % Length)]);
            result[i] = bucket is not null && bucket.Minute == minute ? bucket : null;
        }

        return result;
    }

    private MinuteBucket Roll(int index, long minute, MinuteBucket? seen)
    {
        var fresh = new MinuteBucket(minute);
        while (true)
        {
            var current = Interlocked.CompareExchange(ref _slots[index], fresh, seen);
            if (ReferenceEquals(current, seen))
            {
                return fresh;
            }

            // Another decision rolled the slot first: use its bucket when it is this minute or later (a late caller
            // counts into the newer minute rather than wiping it).
            if (current is not null && current.Minute >= minute)
            {
                return current;
            }

            seen = current;
        }
    }
}
