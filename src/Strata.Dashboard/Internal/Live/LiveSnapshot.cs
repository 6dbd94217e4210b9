namespace Strata.Dashboard.Internal.Live;

/// <summary>
/// Consecutive buckets read from a <see cref="LiveRing"/>: the first starts at <see cref="StartUnixMs"/>, each is
/// <see cref="ResolutionMs"/> wide, and <see cref="Values"/> holds one array per <see cref="LiveSeries"/>.
/// </summary>
internal sealed record LiveSnapshot(long StartUnixMs, long ResolutionMs, long[][] Values)
{
    /// <summary>How many buckets.</summary>
    public int Length => Values[0].Length;

    /// <summary>The sum of a series over its last <paramref name="buckets"/> buckets.</summary>
    public long Sum(int series, int buckets)
    {
        var values = Values[series];
        var total = 0L;
        for (var i = Math.Max(0, values.Length - buckets); i < values.Length; i++)
        {
            total += values[i];
        }

        return total;
    }
}
