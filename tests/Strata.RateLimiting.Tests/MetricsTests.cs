using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Strata.RateLimiting.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task Decisions_are_counted_by_policy_and_result_on_the_strata_meter()
    {
        var services = new ServiceCollection().AddMetrics().AddSingleton<TimeProvider>(TestHost.NewClock()).AddStrataRateLimiting().Services.BuildServiceProvider();
        await using var _ = services;
        using var collector = new MetricCollector<long>(services.GetRequiredService<IMeterFactory>(), "Strata.RateLimiting", "strata.ratelimiting.decisions");
        using var limiter = services.GetRequiredService<IRateLimiterFactory>().CreateLimiter("metered", "p", RateLimitRule.FixedWindow(2, TimeSpan.FromMinutes(1)));

        for (var i = 0; i < 3; i++)
        {
            using var lease = await limiter.AcquireAsync(1);
        }

        var measurements = collector.GetMeasurementSnapshot();
        measurements.Where(m => (string?)m.Tags["result"] == "acquired").Sum(m => m.Value).Should().Be(2);
        measurements.Where(m => (string?)m.Tags["result"] == "rejected").Sum(m => m.Value).Should().Be(1);
        measurements.Should().OnlyContain(m => (string?)m.Tags["policy"] == "metered" && (string?)m.Tags["store"] == "in_process");
    }

    [Fact]
    public async Task A_rejected_http_request_is_one_rejected_decision()
    {
        await using var host = await TestHost.StartAsync(o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, limit: 1, window: TimeSpan.FromMinutes(1)));
        using var collector = new MetricCollector<long>(host.App.Services.GetRequiredService<IMeterFactory>(), "Strata.RateLimiting", "strata.ratelimiting.decisions");

        for (var i = 0; i < 3; i++)
        {
            using var response = await host.GetAsync("k");
        }

        var measurements = collector.GetMeasurementSnapshot();
        measurements.Where(m => (string?)m.Tags["result"] == "acquired").Sum(m => m.Value).Should().Be(1);
        measurements.Where(m => (string?)m.Tags["result"] == "rejected").Sum(m => m.Value).Should().Be(2);
    }
}
