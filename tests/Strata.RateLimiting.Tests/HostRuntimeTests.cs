using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Strata.RateLimiting.Tests;

/// <summary>
/// One runtime per host, registered by AddStrataRateLimiting (never one built behind its back), and one line at start
/// naming the store that holds the limits.
/// </summary>
public sealed class HostRuntimeTests
{
    private const string InProcessLine = "Rate limits: in-process store (this node only). Call UseRedis(...) on AddStrataRateLimiting() to share limits across nodes.";

    private static bool IsStoreLine(FakeLogRecord record) =>
        record.Category == "Strata.RateLimiting" && record.Id.Name is "InProcessStore" or "SharedStore";

    [Fact]
    public async Task Policies_without_AddStrataRateLimiting_fail_the_first_request_naming_the_call_to_add()
    {
        await using var app = await StartAsync(
            o => o.AddGcraPolicy("first", RatePartition.Global, limit: 10, period: TimeSpan.FromMinutes(1)));
        using var client = app.GetTestClient();

        (await client.Invoking(c => c.GetAsync("/first")).Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("*builder.Services.AddStrataRateLimiting()*");
        app.Services.GetFakeLogCollector().GetSnapshot().Should().NotContain(r => IsStoreLine(r), "no runtime was built behind the app's back");
    }

    [Fact]
    public async Task Two_policies_share_one_runtime_that_names_its_store_once()
    {
        // Every runtime logs its store once: two policies with a runtime each would log the line twice.
        await using var app = await StartAsync(
            o => o
                .AddGcraPolicy("first", RatePartition.Global, limit: 10, period: TimeSpan.FromMinutes(1))
                .AddFixedWindowPolicy("second", RatePartition.Global, limit: 10, window: TimeSpan.FromMinutes(1)),
            services => services.AddStrataRateLimiting());
        using var client = app.GetTestClient();

        (await client.GetAsync("/first")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/second")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/first")).StatusCode.Should().Be(HttpStatusCode.OK);

        var line = app.Services.GetFakeLogCollector().GetSnapshot().Should().ContainSingle(r => IsStoreLine(r)).Which;
        line.Level.Should().Be(LogLevel.Information);
        line.Message.Should().Be(InProcessLine);
    }

    [Fact]
    public async Task With_AddStrataRateLimiting_the_store_line_is_logged_at_start_before_any_request()
    {
        await using var app = await StartAsync(
            o => o.AddGcraPolicy("first", RatePartition.Global, limit: 10, period: TimeSpan.FromMinutes(1)),
            services => services.AddStrataRateLimiting());

        app.Services.GetFakeLogCollector().GetSnapshot().Should().ContainSingle(r => IsStoreLine(r)).Which.Message.Should().Be(InProcessLine);

        using var client = app.GetTestClient();
        (await client.GetAsync("/first")).StatusCode.Should().Be(HttpStatusCode.OK);
        app.Services.GetFakeLogCollector().GetSnapshot().Should().ContainSingle(r => IsStoreLine(r), "the policies use the registered runtime");
    }

    [Fact]
    public async Task Policies_and_the_factory_count_in_one_store_when_AddStrataRateLimiting_is_called()
    {
        await using var app = await StartAsync(
            o => o.AddGcraPolicy("first", RatePartition.Global, limit: 1, period: TimeSpan.FromHours(1)),
            services => services.AddStrataRateLimiting());
        using var limiter = app.Services.GetRequiredService<IRateLimiterFactory>().CreateLimiter("first", "global", RateLimitRule.Gcra(1, TimeSpan.FromHours(1)));

        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();
        using var client = app.GetTestClient();

        (await client.GetAsync("/first")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the factory's limiter took the one permit of the same store");
    }

    private static async Task<WebApplication> StartAsync(Action<RateLimiterOptions> limiter, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().AddFakeLogging();
        builder.Services.AddSingleton<TimeProvider>(TestHost.NewClock());
        builder.Services.AddRateLimiter(limiter);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseRateLimiter();
        app.MapGet("/first", () => "1").RequireRateLimiting("first");
        app.MapGet("/second", () => "2").RequireRateLimiting("second");
        await app.StartAsync();
        return app;
    }
}
