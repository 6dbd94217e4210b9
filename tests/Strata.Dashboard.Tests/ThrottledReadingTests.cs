using Microsoft.Extensions.Time.Testing;
using Strata.Dashboard.Internal;

namespace Strata.Dashboard.Tests;

/// <summary>The counts pages share: reused for fifty times their cost, a slow one refreshed behind the page, forgotten after an action.</summary>
public sealed class ThrottledReadingTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_fast_reading_is_reused_for_fifty_times_its_cost_then_read_again_before_the_page()
    {
        var reading = new ThrottledReading<string>(_time);
        var reads = 0;
        ValueTask<string> Read(CancellationToken _)
        {
            _time.Advance(TimeSpan.FromMilliseconds(2));   // the read takes 2 ms
            return ValueTask.FromResult("read " + ++reads);
        }

        (await reading.GetAsync(Read, default)).Value.Should().Be("read 1");
        _time.Advance(TimeSpan.FromMilliseconds(90));
        (await reading.GetAsync(Read, default)).Value.Should().Be("read 1", "2 ms of cost buys 100 ms of reuse");
        _time.Advance(TimeSpan.FromMilliseconds(10));
        (await reading.GetAsync(Read, default)).Value.Should().Be("read 2", "a fast reading is read again, not served stale");
    }

    [Fact]
    public async Task A_slow_reading_is_served_while_one_refresh_runs_behind_it()
    {
        var reading = new ThrottledReading<string>(_time);
        var reads = 0;
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ValueTask<string> Read(CancellationToken _)
        {
            _time.Advance(TimeSpan.FromMilliseconds(400));   // a count over a million rows
            if (++reads == 2)
            {
                second.SetResult();
            }

            return ValueTask.FromResult("read " + reads);
        }

        var first = await reading.GetAsync(Read, default);
        first.Took.Should().Be(TimeSpan.FromMilliseconds(400));
        _time.Advance(TimeSpan.FromSeconds(14));
        (await reading.GetAsync(Read, default)).Value.Should().Be("read 1", "400 ms of cost is reused for 15 s at most");
        _time.Advance(TimeSpan.FromSeconds(2));

        (await reading.GetAsync(Read, default)).Value.Should().Be("read 1", "served as it is while the refresh runs");
        await second.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var refreshed = await WaitForAsync(reading, Read, "read 2");
        refreshed.At.Should().BeAfter(first.At);
        reads.Should().Be(2, "one refresh, not one per page");
    }

    [Fact]
    public async Task After_invalidate_the_next_page_reads_again()
    {
        var reading = new ThrottledReading<string>(_time);
        var reads = 0;
        ValueTask<string> Read(CancellationToken _)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return ValueTask.FromResult("read " + ++reads);
        }

        await reading.GetAsync(Read, default);
        (await reading.GetAsync(Read, default)).Value.Should().Be("read 1");
        reading.Invalidate();
        (await reading.GetAsync(Read, default)).Value.Should().Be("read 2");
    }

    private static async Task<ThrottledReading<string>.Reading> WaitForAsync(
        ThrottledReading<string> reading, Func<CancellationToken, ValueTask<string>> read, string value)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var current = await reading.GetAsync(read, limit.Token);
            if (current.Value == value)
            {
                return current;
            }

            await Task.Delay(5, limit.Token);
        }
    }
}
