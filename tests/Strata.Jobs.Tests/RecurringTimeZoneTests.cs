using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>Daylight-saving transitions, as Cronos defines them, for a daily "30 2 * * *" schedule in Europe/Berlin (2026).</summary>
public sealed class RecurringTimeZoneTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public async Task Occurrence_in_the_spring_forward_gap_fires_once_at_the_end_of_the_gap()
    {
        // 29 March 2026: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist that night.
        var fires = await FireThreeAsync(new DateTimeOffset(2026, 3, 27, 12, 0, 0, TimeSpan.Zero));

        fires.Should().Equal(
            new DateTimeOffset(2026, 3, 28, 1, 30, 0, TimeSpan.Zero),  // 02:30 CET
            new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero),   // 03:00 CEST, the end of the gap
            new DateTimeOffset(2026, 3, 30, 0, 30, 0, TimeSpan.Zero)); // 02:30 CEST
    }

    [Fact]
    public async Task Occurrence_in_the_repeated_fall_back_hour_fires_once_at_its_first_instance()
    {
        // 25 October 2026: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice that night.
        var fires = await FireThreeAsync(new DateTimeOffset(2026, 10, 23, 12, 0, 0, TimeSpan.Zero));

        fires.Should().Equal(
            new DateTimeOffset(2026, 10, 24, 0, 30, 0, TimeSpan.Zero),  // 02:30 CEST
            new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero),  // 02:30 CEST, the first of the two
            new DateTimeOffset(2026, 10, 26, 1, 30, 0, TimeSpan.Zero)); // 02:30 CET
    }

    [Fact]
    public async Task Interval_expression_keeps_its_pace_through_the_repeated_hour()
    {
        var start = new DateTimeOffset(2026, 10, 24, 22, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        await using var host = await RecurringTestHost.StartAsync(time);
        await host.Recurring.AddOrUpdateAsync("half-hourly", "*/30 * * * *", new RecordJob("h"), new RecurringJobOptions { TimeZone = Berlin });
        var fires = new List<DateTimeOffset>();

        while (time.GetUtcNow() < start.AddHours(5))
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await host.PassAsync();
            if ((await host.GetAsync("half-hourly")).LastRunAt is { } last && !fires.Contains(last))
            {
                fires.Add(last);
            }
        }

        // 02:00 to 03:00 local happens twice (00:00Z to 02:00Z); both instances fire.
        fires.Should().Equal(Enumerable.Range(1, 10).Select(i => start.AddMinutes(30 * i)));
        (await host.CountJobsAsync()).Should().Be(10);
    }

    /// <summary>Creates the schedule at <paramref name="start"/>, then moves the clock to each next run, minute by minute through the night of the transition.</summary>
    private static async Task<List<DateTimeOffset>> FireThreeAsync(DateTimeOffset start)
    {
        var time = new FakeTimeProvider(start);
        await using var host = await RecurringTestHost.StartAsync(time);
        await host.Recurring.AddOrUpdateAsync("berlin", "30 2 * * *", new RecordJob("night"), new RecurringJobOptions { TimeZone = Berlin });
        (await host.GetAsync("berlin")).TimeZone.Should().Be("Europe/Berlin");

        var fires = new List<DateTimeOffset>();
        var end = start.AddDays(3).AddHours(-6);
        while (time.GetUtcNow() < end)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await host.PassAsync();
            if ((await host.GetAsync("berlin")).LastRunAt is { } last && !fires.Contains(last))
            {
                fires.Add(last);
            }
        }

        (await host.CountJobsAsync()).Should().Be(fires.Count, "each occurrence fired one job");
        return fires;
    }
}
