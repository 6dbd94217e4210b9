namespace Strata.Jobs.Tests;

/// <summary>The dispatch order with a paused queue: left out, and the others keep their shares among themselves.</summary>
public sealed class PauseQueueSelectorTests
{
    [Fact]
    public void Paused_queue_is_never_offered_and_the_others_keep_their_weights()
    {
        var selector = new QueueSelector(
        [
            new JobQueueOptions { Name = "a", Weight = 3 },
            new JobQueueOptions { Name = "b", Weight = 5 },
            new JobQueueOptions { Name = "c", Weight = 1 },
        ]);
        selector.Queues.Single(q => q.Name == "b").Paused = true;

        var first = new Dictionary<string, int>(StringComparer.Ordinal) { ["a"] = 0, ["b"] = 0, ["c"] = 0 };
        for (var round = 0; round < 400; round++)
        {
            var order = selector.Order();
            order.Select(q => q.Name).Should().BeEquivalentTo(["a", "c"]);
            first[order[0].Name]++;
        }

        first.Should().Equal(new Dictionary<string, int> { ["a"] = 300, ["b"] = 0, ["c"] = 100 });
    }

    [Fact]
    public void Every_queue_paused_offers_none_and_names_no_open_queue()
    {
        var selector = new QueueSelector([new JobQueueOptions { Name = "a" }, new JobQueueOptions { Name = "b" }]);
        foreach (var queue in selector.Queues)
        {
            queue.Paused = true;
        }

        selector.Order().Should().BeEmpty();
        selector.OpenQueueNames(out var all, out var anyPaused).Should().BeEmpty();
        all.Should().BeFalse();
        anyPaused.Should().BeTrue();
    }

    [Fact]
    public void A_queue_with_a_fleet_cap_lower_than_its_host_cap_takes_no_more_than_the_fleet_cap_on_this_host()
    {
        var selector = new QueueSelector([new JobQueueOptions { Name = "a", MaxConcurrency = 8, FleetMaxConcurrency = 2 }]);

        selector.Queues[0].Room.Should().Be(2);
    }
}
