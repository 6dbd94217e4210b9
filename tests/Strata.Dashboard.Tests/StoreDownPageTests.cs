using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Strata.Dashboard.Tests;

/// <summary>A job store that is down: every page and action that needs it answers a 503 page that says so, never a 500.</summary>
public sealed class StoreDownPageTests
{
    [Fact]
    public async Task Pages_and_actions_on_a_store_that_is_down_answer_503_with_retry_after_and_log_the_failure()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;   // freed again: nothing listens there, a Redis that is down
        }

        await using var app = await DashboardTestApp.StartAsync(withJobs: false, build: b => b.Services
            .AddStrataJobs(o =>
            {
                o.AddQueue("default");
                o.RunWorkers = false;
            })
            .UseRedis($"127.0.0.1:{port},connectTimeout=500,connectRetry=0"));
        using var ops = app.Browser();
        var overview = await ops.OpenAsync("/strata");   // 200: the overview shows the store as unhealthy

        foreach (var url in (string[])["/strata/queues", "/strata/jobs", "/strata/dead", "/strata/schedules", "/strata/jobs/" + Uri.EscapeDataString(Strata.Jobs.Backends.JobIds.Create("default"))])
        {
            var page = await ops.GetAsync(url);
            page.Status.Should().Be(HttpStatusCode.ServiceUnavailable, url);
            page.Headers.RetryAfter!.ToString().Should().Be("5", url);
            TestBrowser.Text(page, "[role=alert]").Should().StartWith("A store did not answer (", url);
        }

        var logs = app.App.Services.GetFakeLogCollector().GetSnapshot()
            .Where(r => r.Category == "Strata.Dashboard" && r.Id.Name == "DashboardPageFailed").ToList();
        logs.Should().HaveCountGreaterThanOrEqualTo(5).And.OnlyContain(r => r.Level == LogLevel.Error && r.Exception != null);
        overview.Status.Should().Be(HttpStatusCode.OK);
    }
}
