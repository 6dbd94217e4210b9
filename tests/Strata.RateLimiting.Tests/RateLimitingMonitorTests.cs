using System.Net;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Strata.RateLimiting.Internal.Statistics;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Tests;

/// <summary>What <see cref="IRateLimitingMonitor"/> reads back after real decisions through the middleware and the factory.</summary>
public sealed class RateLimitingMonitorTests
{
    [Fact]
    public async Task Decisions_denials_and_the_partitions_denied_most_are_counted_per_policy()
    {
        await using var host = await TestHost.StartAsync(o => o
            .AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, 2, TimeSpan.FromMinutes(1))
            .AddGcraPolicy("other", RatePartition.Global, 10, TimeSpan.FromMinutes(1)));
        var statuses = new List<HttpStatusCode>();
        foreach (var key in (string[])["a", "a", "a", "a", "a", "b", "b", "b"])
        {
            statuses.Add((await host.GetAsync(key)).StatusCode);
        }

        statuses.Count(s => s == HttpStatusCode.TooManyRequests).Should().Be(4);
        var monitor = host.App.Services.GetRequiredService<IRateLimitingMonitor>();
        monitor.Policies.Select(p => p.Name).Should().Equal("other", "per-key");
        monitor.Policies[1].Rules.Single().Limit.Should().Be(2);

        var stats = monitor.GetStatistics("per-key");
        stats.Minutes.Should().HaveCount(15);
        var now = stats.Minutes[^1];
        now.Start.Should().Be(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        (now.Decisions, now.Denied, now.ShadowDenied).Should().Be((8L, 4L, 0L));
        stats.Minutes.Take(14).Should().OnlyContain(m => m.Decisions == 0);
        stats.TopDeniedPartitions.Select(p => (p.Partition, p.Denied)).Should().Equal(("a", 3L), ("b", 1L));
        monitor.GetStatistics("other").Minutes.Should().OnlyContain(m => m.Decisions == 0, "no request went to that policy");
    }

    [Fact]
    public async Task Counts_move_to_the_next_minute_and_leave_after_fifteen()
    {
        await using var host = await TestHost.StartAsync(o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, 1, TimeSpan.FromSeconds(30)));
        var monitor = host.App.Services.GetRequiredService<IRateLimitingMonitor>();
        await host.GetAsync("a");
        await host.GetAsync("a");
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.GetAsync("a");

        var stats = monitor.GetStatistics("per-key");
        (stats.Minutes[^2].Decisions, stats.Minutes[^2].Denied).Should().Be((2L, 1L));
        (stats.Minutes[^1].Decisions, stats.Minutes[^1].Denied).Should().Be((1L, 0L));
        stats.Minutes[^1].Start.Should().Be(stats.Minutes[^2].Start.AddMinutes(1));

        host.Time.Advance(TimeSpan.FromMinutes(14));
        await host.GetAsync("a");
        stats = monitor.GetStatistics("per-key");
        stats.Minutes.Sum(m => m.Decisions).Should().Be(2, "the first minute left the window, the second is its oldest");
        stats.Minutes[0].Decisions.Should().Be(1);
    }

    [Fact]
    public async Task Shadow_mode_would_deny_counts_are_kept_apart_from_denials()
    {
        await using var host = await TestHost.StartAsync(o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, 1, TimeSpan.FromMinutes(1), p => p.ShadowMode = true));
        for (var i = 0; i < 3; i++)
        {
            (await host.GetAsync("a")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var stats = host.App.Services.GetRequiredService<IRateLimitingMonitor>().GetStatistics("per-key");
        (stats.Minutes[^1].Decisions, stats.Minutes[^1].Denied, stats.Minutes[^1].ShadowDenied).Should().Be((3L, 0L, 2L));
        stats.TopDeniedPartitions.Should().BeEmpty();
    }

    [Fact]
    public async Task A_flood_of_distinct_partitions_stays_within_the_bound_and_keeps_the_heavy_hitter()
    {
        await using var host = await TestHost.StartAsync(o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, 1, TimeSpan.FromMinutes(1)));
        var factory = host.App.Services.GetRequiredService<IRateLimiterFactory>();
        var rule = RateLimitRule.FixedWindow(1, TimeSpan.FromMinutes(1));
        using var heavy = factory.CreateLimiter("flood", "heavy", rule);
        for (var i = 0; i < 5_000; i++)
        {
            using var limiter = factory.CreateLimiter("flood", "p" + i, rule);
            limiter.AttemptAcquire().Dispose();
            limiter.AttemptAcquire().IsAcquired.Should().BeFalse();
            heavy.AttemptAcquire().Dispose();
        }

        var stats = host.App.Services.GetRequiredService<IRateLimitingMonitor>().GetStatistics("flood");
        stats.Minutes[^1].Denied.Should().Be(5_000 + 4_999);
        stats.TrackedPartitions.Should().BeLessThanOrEqualTo(DeniedPartitions.DefaultCapacity);
        stats.TopDeniedPartitions.Should().HaveCount(10);
        stats.TopDeniedPartitions[0].Should().BeEquivalentTo(new { Partition = "heavy", Denied = 4_999L });
    }

    [Fact]
    public void The_table_of_denied_partitions_is_bounded_under_a_hundred_thousand_keys_and_cuts_long_ones()
    {
        var table = new DeniedPartitions(capacity: 100);
        for (var i = 0; i < 100_000; i++)
        {
            table.Add("key-" + i);
            if (i % 10 == 0)
            {
                table.Add("attacker");
            }

            table.Count.Should().BeLessThanOrEqualTo(100);
        }

        table.Top(10)[0].Should().BeEquivalentTo(new { Partition = "attacker", Denied = 10_000L });

        var fresh = new DeniedPartitions(capacity: 100);
        fresh.Add(new string('x', 5_000));
        fresh.Top(1).Single().Partition.Should().Be(new string('x', DeniedPartitions.MaxKeyLength) + "…");
    }

    [Fact]
    public async Task The_in_process_store_is_reported_reachable_with_a_closed_circuit()
    {
        await using var host = await TestHost.StartAsync(o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, 1, TimeSpan.FromMinutes(1)));
        var status = host.App.Services.GetRequiredService<IRateLimitingMonitor>().GetStoreStatus();
        status.Should().BeEquivalentTo(new { Name = "in_process", IsDistributed = false, IsReachable = true, CircuitState = RateLimitCircuitState.Closed, DenyCacheHits = 0L });
    }

    [Fact]
    public async Task A_failing_distributed_store_opens_the_circuit_then_half_opens_and_deny_cache_hits_are_counted()
    {
        SwitchableStore? store = null;
        await using var host = await TestHost.StartAsync(
            o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, 1, TimeSpan.FromMinutes(1)),
            services => services.AddStrataRateLimiting().UseStore(
                sp => store = new SwitchableStore(sp.GetRequiredService<TimeProvider>()),
                _ => new DistributedStoreSettings { FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(10) }));
        var monitor = host.App.Services.GetRequiredService<IRateLimitingMonitor>();

        (await host.GetAsync("a")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync("a")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);   // the store denies: cached
        (await host.GetAsync("a")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);   // answered by the deny cache
        var status = monitor.GetStoreStatus();
        status.Should().BeEquivalentTo(new { Name = "switchable", IsDistributed = true, IsReachable = true, CircuitState = RateLimitCircuitState.Closed });
        status.DenyCacheHits.Should().BeGreaterThanOrEqualTo(1);
        monitor.GetStatistics("per-key").Minutes[^1].DenyCacheHits.Should().Be(status.DenyCacheHits);

        store!.Failing = true;
        await host.GetAsync("b");
        await host.GetAsync("c");
        status = monitor.GetStoreStatus();
        (status.IsReachable, status.CircuitState).Should().Be((false, RateLimitCircuitState.Open));

        host.Time.Advance(TimeSpan.FromSeconds(11));
        monitor.GetStoreStatus().CircuitState.Should().Be(RateLimitCircuitState.HalfOpen);

        store.Failing = false;
        await host.GetAsync("d");
        status = monitor.GetStoreStatus();
        (status.IsReachable, status.CircuitState).Should().Be((true, RateLimitCircuitState.Closed));
    }
}
