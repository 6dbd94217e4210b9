using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>What a Redis outage writes to the log: two lines, however many decisions it lasts.</summary>
public sealed class OutageLogTests
{
    [Fact]
    public async Task An_outage_logs_one_warning_naming_the_endpoint_and_failure_mode_and_one_line_with_its_duration_when_it_ends()
    {
        await using var server = await RedisServer.StartAsync();
        var time = new FakeTimeProvider();
        await using var services = new ServiceCollection()
            .AddMetrics()
            .AddFakeLogging(o => o.CollectRecordsForDisabledLogLevels = false)
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Information))
            .AddSingleton<TimeProvider>(time)
            .AddStrataRateLimiting()
            .UseRedis(server.ConnectionString, o =>
            {
                o.KeyPrefix = RedisFixture.UniquePrefix();
                o.CommandTimeout = TimeSpan.FromSeconds(5); // not about slowness: a stopped server refuses at once
            })
            .Services.BuildServiceProvider();
        var logs = services.GetFakeLogCollector();
        using var limiter = services.GetRequiredService<IRateLimiterFactory>().CreateLimiter("outage", "p", RateLimitRule.Gcra(1000, TimeSpan.FromMinutes(1)));
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue("Redis decides while it is up");

        await server.KillAsync();
        for (var i = 0; i < 60; i++)
        {
            if (i % 10 == 9)
            {
                time.Advance(TimeSpan.FromSeconds(6)); // past BreakDuration: a probe goes to the stopped server and fails
            }

            using var lease = await limiter.AcquireAsync(1);
            lease.IsAcquired.Should().BeTrue("the fallback admits");
        }

        var warning = logs.GetSnapshot().Should().ContainSingle(r => r.Level >= LogLevel.Warning, "one warning for the whole outage").Subject;
        warning.Id.Name.Should().Be("StoreOutageStarted");
        warning.Message.Should().Contain(server.Endpoint).And.Contain("FallbackToLocal").And.Contain("'outage'");
        warning.Exception.Should().BeNull("a connection failure needs no stack");
        logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "StoreOutageEnded");

        await server.RestartAsync();
        FakeLogRecord? ended = null;
        for (var attempt = 0; attempt < 150 && ended is null; attempt++)
        {
            time.Advance(TimeSpan.FromSeconds(6));
            using var lease = await limiter.AcquireAsync(1);
            ended = logs.GetSnapshot().SingleOrDefault(r => r.Id.Name == "StoreOutageEnded");
            if (ended is null)
            {
                await Task.Delay(100);
            }
        }

        ended.Should().NotBeNull("the first decision Redis answers again ends the outage");
        ended!.Level.Should().Be(LogLevel.Information);
        ended.Message.Should().Contain(server.Endpoint);
        var duration = TimeSpan.Parse(ended.StructuredState!.Single(kv => kv.Key == "Duration").Value!, CultureInfo.InvariantCulture);
        duration.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(36), "the clock moved 6 s six times before the restart");
        logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Should().ContainSingle("the end of the outage is not a warning");
    }
}
