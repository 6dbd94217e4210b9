using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Tests;

/// <summary>
/// Every instrument of the Strata.RateLimiting meter as an exporter sees it: name, unit, description and the exact
/// tags of each measurement, driven by real requests against a distributed store that can be switched off.
/// </summary>
public sealed class MetricTagsTests
{
    [Fact]
    public async Task Instruments_carry_their_units_and_descriptions()
    {
        var services = new ServiceCollection().AddMetrics().AddSingleton<TimeProvider>(TestHost.NewClock()).AddStrataRateLimiting().Services.BuildServiceProvider();
        await using var _ = services;
        var meters = services.GetRequiredService<IMeterFactory>();
        using var decisions = new MetricCollector<long>(meters, "Strata.RateLimiting", "strata.ratelimiting.decisions");
        using var duration = new MetricCollector<double>(meters, "Strata.RateLimiting", "strata.ratelimiting.store.duration");
        using var fallbacks = new MetricCollector<long>(meters, "Strata.RateLimiting", "strata.ratelimiting.fallbacks");
        using var hits = new MetricCollector<long>(meters, "Strata.RateLimiting", "strata.ratelimiting.deny_cache.hits");
        services.GetRequiredService<IRateLimiterFactory>();

        Instrument?[] instruments = [decisions.Instrument, duration.Instrument, fallbacks.Instrument, hits.Instrument];
        instruments.Select(i => i?.Unit).Should().Equal("{decision}", "s", "{decision}", "{decision}");
        instruments.Should().OnlyContain(i => !string.IsNullOrEmpty(i!.Description));
    }

    [Fact]
    public async Task Store_durations_fallbacks_and_deny_cache_hits_are_tagged_by_store_error_policy_and_mode()
    {
        SwitchableStore? store = null;
        await using var host = await TestHost.StartAsync(
            o => o
                .AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, 1, TimeSpan.FromMinutes(1), p => p.FailureMode = RateLimitFailureMode.FailOpen)
                .AddFixedWindowPolicy("closed", RatePartition.ByApiKey, 1, TimeSpan.FromMinutes(1), p => p.FailureMode = RateLimitFailureMode.FailClosed),
            services => services.AddStrataRateLimiting().UseStore(
                sp => store = new SwitchableStore(sp.GetRequiredService<TimeProvider>()),
                _ => new DistributedStoreSettings { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(10) }),
            app => app.MapGet("/closed", () => "ok").RequireRateLimiting("closed"));
        var meters = host.App.Services.GetRequiredService<IMeterFactory>();
        using var decisions = new MetricCollector<long>(meters, "Strata.RateLimiting", "strata.ratelimiting.decisions");
        using var duration = new MetricCollector<double>(meters, "Strata.RateLimiting", "strata.ratelimiting.store.duration");
        using var fallbacks = new MetricCollector<long>(meters, "Strata.RateLimiting", "strata.ratelimiting.fallbacks");
        using var hits = new MetricCollector<long>(meters, "Strata.RateLimiting", "strata.ratelimiting.deny_cache.hits");

        (await host.GetAsync("a")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync("a")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);   // the store denies
        (await host.GetAsync("a")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);   // the deny cache answers

        store!.Failing = true;
        var closed = await host.GetAsync("c", "/closed");   // fails and opens the circuit for 10 s
        closed.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        closed.Header("Retry-After").Should().Be("10", "a fail-closed rejection waits out the open circuit");
        host.Time.Advance(TimeSpan.FromSeconds(4));
        (await host.GetAsync("c", "/closed")).Header("Retry-After").Should().Be("6");
        (await host.GetAsync("b")).StatusCode.Should().Be(HttpStatusCode.OK, "fail open admits while the circuit is open");

        duration.GetMeasurementSnapshot().Select(m => ((string?)m.Tags["store"], (bool?)m.Tags["error"]))
            .Should().Equal(("switchable", false), ("switchable", false), ("switchable", true));
        fallbacks.GetMeasurementSnapshot().Select(m => (m.Value, (string?)m.Tags["policy"], (string?)m.Tags["mode"]))
            .Should().Equal((1L, "closed", "fail_closed"), (1L, "closed", "fail_closed"), (1L, "per-key", "fail_open"));
        hits.GetMeasurementSnapshot().Select(m => (m.Value, (string?)m.Tags["policy"])).Should().Equal((1L, "per-key"));
        decisions.GetMeasurementSnapshot().Select(m => ((string?)m.Tags["policy"], (string?)m.Tags["result"], (string?)m.Tags["store"]))
            .Should().Equal(
                ("per-key", "acquired", "switchable"),
                ("per-key", "rejected", "switchable"),
                ("per-key", "rejected", "switchable"),
                ("closed", "rejected", "fail_closed"),
                ("closed", "rejected", "fail_closed"),
                ("per-key", "acquired", "fail_open"));
    }

    [Fact]
    public async Task A_shadow_mode_denial_is_counted_as_shadow_rejected()
    {
        await using var host = await TestHost.StartAsync(o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, 1, TimeSpan.FromMinutes(1), p => p.ShadowMode = true));
        using var decisions = new MetricCollector<long>(host.App.Services.GetRequiredService<IMeterFactory>(), "Strata.RateLimiting", "strata.ratelimiting.decisions");

        (await host.GetAsync("a")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync("a")).StatusCode.Should().Be(HttpStatusCode.OK);

        decisions.GetMeasurementSnapshot().Select(m => ((string?)m.Tags["result"], (string?)m.Tags["store"]))
            .Should().Equal(("acquired", "in_process"), ("shadow_rejected", "in_process"));
    }
}
