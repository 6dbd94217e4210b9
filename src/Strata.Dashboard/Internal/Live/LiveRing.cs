namespace Strata.Dashboard.Internal.Live;

/// <summary>
/// A fixed ring of time buckets, each holding one counter per <see cref="LiveSeries"/>: bounded memory (two arrays
/// allocated once), and no lock on the recording path, only <see cref="Interlocked"/>. A slot is reused for a newer
/// bucket by the first measurement that falls in it: that writer claims the slot with a compare-exchange of its
/// bucket number and subtracts what the old bucket held, so measurements other threads add to the new bucket
/// meanwhile are kept. A measurement older than the ring is dropped.
/// </summary>
internal sealed class LiveRing
{
    private readonly long _resolutionMs;
    private readonly long[] _buckets;
    private readonly long[] _counts;

    public LiveRing(int capacity, TimeSpan resolution)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(resolution, TimeSpan.FromMilliseconds(1));
        _resolutionMs = (long)resolution.TotalMilliseconds;
        _buckets = new long[capacity];
        Array.Fill(_buckets, -1L);
        _counts = new long[capacity * LiveSeries.Count];
    }

    /// <summary>How many buckets the ring keeps.</summary>
    public int Capacity => _buckets.Length;

    /// <summary>The width of one bucket.</summary>
    public TimeSpan Resolution => TimeSpan.FromMilliseconds(_resolutionMs);

    /// <summary>Adds <paramref name="value"/> to <paramref name="series"/> in the bucket of <paramref name="unixMs"/>.</summary>
    public void Add(long unixMs, int series, long value)
    {
        var bucket = unixMs / _resolutionMs;
        var slot = (int)(bucket % _buckets.Length);
        while (true)
        {
            var held = Volatile.Read(ref _buckets[slot]);
            if (held == bucket)
            {
                Interlocked.Add(ref _counts[(slot * LiveSeries.Count) + series], value);
                return;
            }

            if (held > bucket)
            {
                return;   // the slot already holds a newer bucket: this measurement is older than the ring
            }

            Claim(slot, held, bucket);
        }
    }

    /// <summary>The buckets of the <paramref name="count"/> intervals that end with the one holding <paramref name="nowUnixMs"/>, oldest first.</summary>
    public LiveSnapshot Read(long nowUnixMs, int count)
    {
        count = Math.Clamp(count, 1, _buckets.Length);
        var last = nowUnixMs / _resolutionMs;
        var first = last - count + 1;
        var values = new long[LiveSeries.Count][];
        for (var s = 0; s < LiveSeries.Count; s++)
        {
            values[s] = new long[count];
        }

        for (var i = 0; i < count; i++)
        {
            var bucket = first + i;
            if (bucket < 0)
            {
                continue;
            }

            var slot = (int)(bucket % _buckets.Length);
            if (Volatile.Read(ref _buckets[slot]) != bucket)
            {
                continue;   // nothing was recorded in that interval (the slot is empty or holds another bucket)
            }

            for (var s = 0; s < LiveSeries.Count; s++)
            {
                values[s][i] = Volatile.Read(ref _counts[(slot * LiveSeries.Count) + s]);
            }
        }

        return new LiveSnapshot(first * _resolutionMs, _resolutionMs, values);
    }

    private void Claim(int slot, long held, long bucket)
    {
        Span<long> old = stackalloc long[LiveSeries.Count];
        var offset = slot * LiveSeries.Count;
        for (var s = 0; s < LiveSeries.Count; s++)
        {
            old[s] = Volatile.Read(ref _counts[offset + s]);
        }

        if (Interlocked.CompareExchange(ref _buckets[slot], bucket, held) != held)
        {
            return;   // another writer claimed it first; the caller looks again
        }

        for (var s = 0; s < LiveSeries.Count; s++)
        {
            if (old[s] != 0)
            {
                Interlocked.Add(ref _counts[offset + s], -old[s]);
            }
        }
    }
}
