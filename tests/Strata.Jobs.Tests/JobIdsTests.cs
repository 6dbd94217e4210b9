using Strata.Jobs.Backends;

namespace Strata.Jobs.Tests;

public sealed class JobIdsTests
{
    [Fact]
    public void Job_ids_name_their_queue_and_carry_128_random_bits_without_repeats()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => JobIds.Create("reports")).ToList();

        ids.Should().OnlyHaveUniqueItems();
        ids.Should().OnlyContain(id => System.Text.RegularExpressions.Regex.IsMatch(id, "^reports\\.[0-9a-f]{32}$"));
        ids.Select(id => id[8..10]).Distinct().Count().Should().BeGreaterThan(200, "the bytes are random, not a counter");
    }
}
