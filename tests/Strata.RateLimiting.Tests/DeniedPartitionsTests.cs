using Strata.RateLimiting.Internal.Statistics;

namespace Strata.RateLimiting.Tests;

/// <summary>
/// The bounded table behind the dashboard's "partitions denied most": exactly which partitions it keeps, when it
/// sheds the least denied half, and how it orders them.
/// </summary>
public sealed class DeniedPartitionsTests
{
    /// <summary>A full table of capacity 4 holding a×4, b×3, c×2, d×1.</summary>
    private static DeniedPartitions FullTable()
    {
        var table = new DeniedPartitions(capacity: 4);
        foreach (var (partition, times) in (ReadOnlySpan<(string, int)>)[("a", 4), ("b", 3), ("c", 2), ("d", 1)])
        {
            for (var i = 0; i < times; i++)
            {
                table.Add(partition);
            }
        }

        return table;
    }

    private static (string, long)[] Rows(DeniedPartitions table) => [.. table.Top(10).Select(p => (p.Partition, p.Denied))];

    [Fact]
    public void A_table_filled_to_its_capacity_holds_every_partition_with_its_exact_count()
    {
        var table = FullTable();

        table.Count.Should().Be(4);
        Rows(table).Should().Equal(("a", 4L), ("b", 3L), ("c", 2L), ("d", 1L));
    }

    [Fact]
    public void One_partition_turned_away_from_a_full_table_changes_nothing()
    {
        var table = FullTable();
        table.Add("e");

        table.Count.Should().Be(4);
        Rows(table).Should().Equal(("a", 4L), ("b", 3L), ("c", 2L), ("d", 1L));
    }

    [Fact]
    public void After_capacity_over_two_turned_away_the_least_denied_half_is_dropped_and_new_partitions_enter()
    {
        var table = FullTable();
        table.Add("e");
        table.Add("f");

        table.Count.Should().Be(2);
        Rows(table).Should().Equal(("a", 4L), ("b", 3L));

        table.Add("g");
        table.Add("h");
        table.Count.Should().Be(4);
        table.Add("i");   // the count of turned-away partitions starts again after a drop: one is not enough
        table.Count.Should().Be(4);
        Rows(table).Should().Equal(("a", 4L), ("b", 3L), ("g", 1L), ("h", 1L));
    }

    [Fact]
    public void A_drop_on_one_thread_leaves_the_table_free_for_a_drop_on_another()
    {
        var table = FullTable();
        var first = new Thread(() =>
        {
            table.Add("e");
            table.Add("f");
        });
        first.Start();
        first.Join();
        table.Count.Should().Be(2);

        table.Add("g");
        table.Add("h");
        table.Add("i");
        table.Add("j");

        table.Count.Should().Be(2, "the lock taken for the first drop was given back");
        Rows(table).Should().Equal(("a", 4L), ("b", 3L));
    }

    [Fact]
    public void Partitions_denied_equally_are_listed_in_ordinal_order()
    {
        var table = new DeniedPartitions(capacity: 10);
        foreach (var partition in (string[])["c", "a", "B", "b", "a"])
        {
            table.Add(partition);
        }

        Rows(table).Should().Equal(("a", 2L), ("B", 1L), ("b", 1L), ("c", 1L));
    }

    [Fact]
    public void A_partition_of_exactly_the_maximum_length_is_kept_whole_and_a_longer_one_is_cut()
    {
        var table = new DeniedPartitions(capacity: 10);
        var longest = new string('x', DeniedPartitions.MaxKeyLength);
        table.Add(longest);
        table.Add(longest + "y");

        Rows(table).Should().Equal((longest, 1L), (longest + "…", 1L));
    }
}
