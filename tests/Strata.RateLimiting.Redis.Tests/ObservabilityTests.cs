using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Strata.RateLimiting.Internal;
using Strata.RateLimiting.Store;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>Meter, logs and statistics with a real Redis that fails.</summary>
public sealed class ObservabilityTests
{
    private sealed record Node(ServiceProvider Services, RateLimitRuntime Runtime, FakeLogCollector Logs, IMeterFactory Meters) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Services.DisposeAsync();
    }

    private static Node Build(string connectionString, Action<RedisRateLimitingOptions>? configure = null)
    {
        var services = new ServiceCollection()
            .AddMetrics()
            .AddFakeLogging()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Debug))
            .AddSingleton<TimeProvider>(new FakeTimeProvider())
            .AddStrataRateLimiting().UseRedis(connectionString, o =>
            {
                o.KeyPrefix = RedisFixture.UniquePrefix();
                o.FailureThreshold = 2;
                o.CommandTimeout = TimeSpan.FromSeconds(5); // these tests are not about slowness
                configure?.Invoke(o);
            })
            .Services.BuildServiceProvider();
        return new Node(services, services.GetRequiredService<RateLimitRuntime>(), services.GetFakeLogCollector(), services.GetRequiredService<IMeterFactory>());
    }

    [Fact]
    public async Task Store_latency_fallbacks_and_deny_cache_hits_are_measured()
    {
        await using var server = await RedisServer.StartAsync();
        await using var node = Build(server.ConnectionString);
        using var latency = new MetricCollector<double>(node.Meters, "Strata.RateLimiting", "strata.ratelimiting.store.duration");
        using var fallbacks = new MetricCollector<long>(node.Meters, "Strata.RateLimiting", "strata.ratelimiting.fallbacks");
        using var denyHits = new MetricCollector<long>(node.Meters, "Strata.RateLimiting", "strata.ratelimiting.deny_cache.hits");
        // GCRA (no window boundary on Redis's real clock to fall between the decisions): one per hour, then denied.
        using var limiter = node.Services.GetRequiredService<IRateLimiterFactory>().CreateLimiter("observed", "p", RateLimitRule.Gcra(1, TimeSpan.FromHours(1)));

        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeFalse();
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeFalse();
        await server.KillAsync();
        using var other = node.Services.GetRequiredService<IRateLimiterFactory>().CreateLimiter("observed", "q", RateLimitRule.Gcra(1, TimeSpan.FromHours(1)));
        (await other.AcquireAsync(1)).IsAcquired.Should().BeTrue("the fallback admits");

        // The admission took the only permit and its reply proved none comes back within the hour: both rejections
        // are answered by the deny cache, so the store answered once before it went down.
        latency.GetMeasurementSnapshot().Where(m => (bool?)m.Tags["error"] == false).Should().HaveCount(1);
        denyHits.GetMeasurementSnapshot().Sum(m => m.Value).Should().Be(2);
        fallbacks.GetMeasurementSnapshot().Should().ContainSingle().Which.Tags["mode"].Should().Be("fallback");
    }

    [Fact]
    public async Task Store_failures_and_the_breaker_are_logged_without_the_connection_secret()
    {
        await using var server = await RedisServer.StartAsync();
        await using (var admin = await server.ConnectAsync(o => o.AllowAdmin = true))
        {
            // Set after start: the fixture's readiness PING does not authenticate.
            await admin.GetServer(server.Endpoint).ConfigSetAsync("requirepass", "s3cret-pass");
        }

        await using var node = Build(server.ConnectionString + ",password=s3cret-pass");
        using var limiter = node.Services.GetRequiredService<IRateLimiterFactory>().CreateLimiter("logged", "p", RateLimitRule.Gcra(10, TimeSpan.FromMinutes(1)));
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue("the password is right");

        await server.KillAsync();
        for (var i = 0; i < 3; i++)
        {
            using var lease = await limiter.AcquireAsync(1);
        }

        var logs = node.Logs.GetSnapshot();
        logs.Should().ContainSingle(r => r.Level >= LogLevel.Warning).Which.Id.Name.Should().Be("StoreOutageStarted");
        logs.Should().Contain(r => r.Id.Name == "StoreFailed" && r.Level == LogLevel.Debug);
        logs.Should().Contain(r => r.Id.Name == "CircuitOpened" && r.Level == LogLevel.Debug);
        logs.Should().NotContain(r => r.Message.Contains("s3cret", StringComparison.Ordinal)
            || (r.Exception != null && r.Exception.ToString().Contains("s3cret", StringComparison.Ordinal)));
        node.Runtime.Breaker.IsOpen.Should().BeTrue();
    }

    [Fact]
    public async Task A_concurrency_permit_released_while_redis_is_down_is_logged_not_thrown()
    {
        await using var server = await RedisServer.StartAsync();
        await using var node = Build(server.ConnectionString);
        using var limiter = node.Services.GetRequiredService<IRateLimiterFactory>().CreateLimiter("held", "p", RateLimitRule.Concurrency(1, TimeSpan.FromMinutes(1)));
        var lease = await limiter.AcquireAsync(1);
        lease.IsAcquired.Should().BeTrue();
        await server.KillAsync();

        lease.Dispose();

        for (var i = 0; i < 100 && !node.Logs.GetSnapshot().Any(r => r.Id.Name == "ReleaseFailed"); i++)
        {
            await Task.Delay(50);
        }

        node.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "ReleaseFailed" && r.Level == LogLevel.Debug);
        node.Logs.GetSnapshot().Should().ContainSingle(r => r.Level >= LogLevel.Warning, "a failed release starts an outage too")
            .Which.Id.Name.Should().Be("StoreOutageStarted");
    }

    [Fact]
    public async Task Statistics_are_answered_locally_while_redis_is_down()
    {
        await using var server = await RedisServer.StartAsync();
        await using var node = Build(server.ConnectionString);
        using var limiter = node.Services.GetRequiredService<IRateLimiterFactory>().CreateLimiter("stats", "p", RateLimitRule.FixedWindow(5, TimeSpan.FromHours(1)));
        await limiter.AcquireAsync(2);
        await server.KillAsync();

        var statistics = limiter.GetStatistics()!;

        statistics.CurrentAvailablePermits.Should().Be(3);
        statistics.TotalSuccessfulLeases.Should().Be(1);
    }

    [Fact]
    public async Task Shadow_mode_logs_what_it_would_have_rejected()
    {
        await using var server = await RedisServer.StartAsync();
        await using var node = Build(server.ConnectionString);
        // GCRA: the second decision would be rejected whatever the server's clock reads.
        using var limiter = node.Services.GetRequiredService<IRateLimiterFactory>().CreateLimiter("dark", "tenant-7", RateLimitRule.Gcra(1, TimeSpan.FromHours(1)), o => o.ShadowMode = true);

        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();

        node.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "ShadowRejected")
            .Which.Message.Should().Contain("dark").And.Contain("tenant-7");
    }

    [Fact]
    public void Bad_redis_options_stop_the_host_naming_each_setting()
    {
        var services = new ServiceCollection().AddStrataRateLimiting().UseRedis("127.0.0.1:1", o =>
        {
            o.KeyPrefix = "a{b}";
            o.FallbackNodeCount = 0;
            o.CommandTimeout = TimeSpan.Zero;
        }).Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptions<RedisRateLimitingOptions>>().Value;

        act.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().HaveCount(3).And.Contain(f => f.Contains("KeyPrefix", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_store_behind_the_factory_is_redis_when_redis_is_added()
    {
        await using var server = await RedisServer.StartAsync();
        await using var node = Build(server.ConnectionString);

        node.Services.GetRequiredService<IRateLimitStore>().Should().BeOfType<RedisRateLimitStore>();
        node.Runtime.Store.IsDistributed.Should().BeTrue();
        await using var check = await server.ConnectAsync();
        using var limiter = node.Services.GetRequiredService<IRateLimiterFactory>().CreateLimiter("where", "p", RateLimitRule.Gcra(5, TimeSpan.FromMinutes(1)));
        await limiter.AcquireAsync(1);
        var keys = check.GetServer(server.Endpoint).Keys(pattern: "*:where:{p}").ToList();
        keys.Should().ContainSingle();
    }
}
