using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>A recurring occurrence is an enqueue like any other: it counts in <c>strata.jobs.enqueued</c>; a racing duplicate does not.</summary>
public sealed class RecurringMetricsTests
{
    private readonly FakeTimeProvider _time = new(RecurringTestHost.Start);

    [Fact]
    public async Task Each_fired_occurrence_and_each_trigger_counts_once_as_enqueued()
    {
        await using var host = await RecurringTestHost.StartAsync(_time, jobs => jobs.AddRecurring("every-minute", "* * * * *", new RecordJob("tick")));
        using var enqueued = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), JobsMetrics.MeterName, "strata.jobs.enqueued");

        for (var minute = 1; minute <= 3; minute++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await host.PassAsync();
            await host.PassAsync();
        }

        await host.Recurring.TriggerAsync("every-minute");

        enqueued.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be(4, "three occurrences (two passes each) and one trigger");
        enqueued.GetMeasurementSnapshot().Should().OnlyContain(m => Equals(m.Tags[JobsMetrics.TypeTag], nameof(RecordJob)));
    }
}
