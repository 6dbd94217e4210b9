using Strata.RateLimiting.Internal;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Tests;

/// <summary>
/// Which of a decision's limits the lease and the legacy headers report: a rejecting limit before an admitting one,
/// then the fewest remaining, the first of equals, wherever it is listed.
/// </summary>
public sealed class MostRestrictiveLimitTests
{
    [Theory]
    [InlineData(new long[] { 2, 5, 9 }, 0)]
    [InlineData(new long[] { 5, 2, 9 }, 1)]
    [InlineData(new long[] { 9, 5, 2 }, 2)]
    [InlineData(new long[] { 4, 4, 7 }, 0)]
    public void Most_restrictive_limit_is_the_one_with_the_fewest_remaining_wherever_it_is_listed(long[] remaining, int expected)
    {
        var decision = Decide(remaining.Select(r => new StoreLimitResult(true, r, 1_000_000, 0)).ToArray());

        decision.MostRestrictive.Should().Be(expected);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 1)]
    public void Rejecting_limit_is_reported_before_an_admitting_one_with_fewer_remaining(bool rejectingLast, int expected)
    {
        var rejecting = new StoreLimitResult(false, 3, 60_000_000, 60_000_000);
        var admitting = new StoreLimitResult(true, 1, 1_000_000, 0);

        var decision = Decide(rejectingLast ? [admitting, rejecting] : [rejecting, admitting]);

        decision.MostRestrictive.Should().Be(expected, "the request was refused by that limit; the other would have admitted it");
    }

    [Fact]
    public void Decision_without_results_has_no_most_restrictive_limit() =>
        Decide([]).MostRestrictive.Should().Be(-1);

    private static Decision Decide(StoreLimitResult[] results) =>
        new("api", results.Select(_ => RateLimitRule.FixedWindow(10, TimeSpan.FromMinutes(1))).ToArray(), results, results.All(r => r.Allowed), DecisionSource.Store, TimeSpan.Zero);
}
