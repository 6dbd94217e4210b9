using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Strata.Sample.Api.Hosting;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

/// <summary>
/// <c>Api:DrainDelay</c>: while a stopping node drains it still answers, but its ready check is 503 and every response
/// closes its connection. The drain is started here by calling the hosted service's <c>StoppingAsync</c> as the host does
/// on SIGTERM, and ended by its token (the host's shutdown timeout); the gateway test in Strata.Reliability.Tests runs it
/// for real behind the proxy.
/// </summary>
public sealed class ShutdownDrainTests
{
    [Fact]
    public async Task A_draining_node_serves_with_ready_at_503_and_closes_every_connection_after_its_answer()
    {
        await using var factory = new DrainFactory(("Api:DrainDelay", "00:00:20"));
        using var client = factory.CreateClient(apiKey: null);
        using (var before = await client.GetAsync("/health/ready"))
        {
            before.StatusCode.Should().Be(HttpStatusCode.OK);
            before.Headers.ConnectionClose.Should().NotBe(true, "a node that is not stopping keeps its connections");
        }

        var drain = factory.Services.GetServices<IHostedService>().OfType<ShutdownDrain>().Single();
        using var shutdownTimeout = new CancellationTokenSource();
        var draining = drain.StoppingAsync(shutdownTimeout.Token);

        draining.IsCompleted.Should().BeFalse("the drain lasts its delay");
        using (var ready = await client.GetAsync("/health/ready"))
        {
            ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            ready.Headers.ConnectionClose.Should().BeTrue();
            var body = await ready.Content.ReadFromJsonAsync<JsonElement>();
            body.GetProperty("checks").GetProperty("shutdown").GetString().Should().Be("Unhealthy");
            body.GetProperty("checks").GetProperty("database").GetString().Should().Be("Healthy");
        }

        using (var live = await client.GetAsync("/health/live"))
        {
            live.StatusCode.Should().Be(HttpStatusCode.OK, "a draining node still answers");
            live.Headers.ConnectionClose.Should().BeTrue();
        }

        factory.Logs.All.Should().Contain("Stopping: draining for 00:00:20");
        await shutdownTimeout.CancelAsync();
        await draining;   // the shutdown timeout ends the drain at once
    }

    [Fact]
    public async Task Without_a_delay_the_stop_does_not_drain()
    {
        await using var factory = new DrainFactory();
        using var client = factory.CreateClient(apiKey: null);
        var drain = factory.Services.GetServices<IHostedService>().OfType<ShutdownDrain>().Single();

        await drain.StoppingAsync(CancellationToken.None);

        using var ready = await client.GetAsync("/health/ready");
        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        ready.Headers.ConnectionClose.Should().NotBe(true);
        factory.Logs.All.Should().NotContain("draining");
    }

    [Theory]
    [InlineData("00:00:25", "00:00:25")]
    [InlineData("00:00:30", "00:00:25")]
    [InlineData("-00:00:01", "00:00:25")]
    public void A_delay_not_shorter_than_the_shutdown_timeout_stops_the_host_on_start_naming_both(string delay, string timeout)
    {
        using var factory = new DrainFactory(("Api:DrainDelay", delay), ("Api:ShutdownTimeout", timeout));

        var start = () => factory.CreateClient(apiKey: null);

        start.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>()
            .WithMessage($"*Api:DrainDelay ({delay}) must be at least 0 and shorter than Api:ShutdownTimeout ({timeout})*");
    }

    private sealed class DrainFactory(params (string Key, string Value)[] settings) : SampleApiFactory
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings => settings.Select(s => KeyValuePair.Create(s.Key, s.Value));
    }
}
