using Strata.Dashboard.Internal.Live;

namespace Strata.Dashboard.Tests;

/// <summary>The collector's ring: fixed memory, measurements in the bucket of their time, old ones dropped.</summary>
public sealed class LiveRingTests
{
    private static readonly TimeSpan FiveSeconds = TimeSpan.FromSeconds(5);

    [Fact]
    public void A_measurement_counts_in_the_bucket_of_its_time_and_the_read_ends_with_the_current_bucket()
    {
        var ring = new LiveRing(capacity: 6, FiveSeconds);
        var now = 1_800_000_000_000L;   // a multiple of 5 s
        ring.Add(now - 10_000, LiveSeries.JobsSucceeded, 3);   // two buckets back
        ring.Add(now - 1, LiveSeries.JobsFailed, 1);           // one bucket back (its last millisecond)
        ring.Add(now + 4_999, LiveSeries.Denials, 2);          // the current bucket

        var read = ring.Read(now + 4_999, 6);

        read.StartUnixMs.Should().Be(now - 25_000);
        read.Values[LiveSeries.JobsSucceeded].Should().Equal(0, 0, 0, 3, 0, 0);
        read.Values[LiveSeries.JobsFailed].Should().Equal(0, 0, 0, 0, 1, 0);
        read.Values[LiveSeries.Denials].Should().Equal(0, 0, 0, 0, 0, 2);
        read.Sum(LiveSeries.JobsSucceeded, 3).Should().Be(3);
        read.Sum(LiveSeries.JobsSucceeded, 2).Should().Be(0);
    }

    [Fact]
    public void The_ring_is_bounded_a_slot_is_reused_for_a_newer_bucket_and_older_measurements_are_dropped()
    {
        var ring = new LiveRing(capacity: 4, FiveSeconds);
        var start = 1_800_000_000_000L;
        for (var i = 0; i < 10_000; i++)
        {
            ring.Add(start + (i * 5_000L), LiveSeries.Decisions, 1);
        }

        var last = start + (9_999 * 5_000L);
        var read = ring.Read(last, 100);   // more than the ring holds: clamped to its capacity
        ring.Capacity.Should().Be(4);
        read.Length.Should().Be(4);
        read.Values[LiveSeries.Decisions].Should().Equal(1, 1, 1, 1);

        // Older than the ring: the slot holds a newer bucket, so it is dropped and nothing changes.
        ring.Add(start, LiveSeries.Decisions, 100);
        ring.Read(last, 4).Values[LiveSeries.Decisions].Should().Equal(1, 1, 1, 1);

        // A bucket the ring reaches again after a gap starts from zero, not from the count it held a lap earlier.
        ring.Add(last + (4 * 5_000L), LiveSeries.Decisions, 7);
        ring.Read(last + (4 * 5_000L), 4).Values[LiveSeries.Decisions].Should().Equal(0, 0, 0, 7);
    }

    [Fact]
    public async Task Concurrent_writers_lose_no_measurement_while_a_slot_turns_over()
    {
        var ring = new LiveRing(capacity: 8, FiveSeconds);
        var start = 1_800_000_000_000L;
        ring.Add(start, LiveSeries.JobsSucceeded, 1_000);   // the bucket the slot held a lap earlier
        var next = start + (8 * 5_000L);                    // the same slot, one lap later
        using var go = new ManualResetEventSlim();
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            go.Wait();
            for (var i = 0; i < 50_000; i++)
            {
                ring.Add(next, LiveSeries.JobsSucceeded, 1);
            }
        })).ToArray();
        go.Set();
        await Task.WhenAll(writers);

        ring.Read(next, 1).Values[LiveSeries.JobsSucceeded].Should().Equal(200_000);
    }
}
