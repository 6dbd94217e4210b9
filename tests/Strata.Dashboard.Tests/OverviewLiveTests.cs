using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Strata.Dashboard.Internal.Live;
using Strata.Jobs;
using Strata.Jobs.Testing;

namespace Strata.Dashboard.Tests;

/// <summary>The overview's live part and store health: numbers without JavaScript, hashed assets, the CSP, a store that is down.</summary>
public sealed class OverviewLiveTests
{
    [Fact]
    public async Task Overview_without_JavaScript_shows_the_live_numbers_in_a_table()
    {
        var (app, time) = await LiveDashboardHost.StartAsync();
        await using var _ = app;
        using var ops = app.Browser();
        foreach (var i in Enumerable.Range(0, 2))
        {
            await app.WaitForStateAsync(await app.Queue.EnqueueAsync(new RecordJob($"seen-{i}")), JobState.Succeeded);
        }

        await app.MakeDeadJobsAsync("seen", 1);
        await LiveDashboardHost.HitLimitedAsync(app, 4);
        (await LiveSeriesTests.WaitForTotalsAsync(ops, succeeded: 2, failed: 1)).Dispose();
        time.Advance(TimeSpan.FromMinutes(2));   // out of the last minute, still in the last 15

        var overview = await ops.OpenAsync("/strata");

        Numbers(overview, "jobsSucceeded").Should().Equal("Jobs succeeded", "0", "2");
        Numbers(overview, "jobsFailed").Should().Equal("Failed attempts", "0", "1");
        Numbers(overview, "decisions").Should().Equal("Rate-limit decisions", "0", "4");
        Numbers(overview, "denials").Should().Equal("Rate-limit denials", "0", "2");
        overview.Document.QuerySelector("#live")!.GetAttribute("data-source").Should().Be("/strata/live");
        TestBrowser.Text(overview, "#live p").Should().Contain("each node of a fleet has its own numbers");
    }

    [Fact]
    public async Task Scripts_and_stylesheets_are_served_by_the_hash_of_their_bytes_with_a_year_of_caching()
    {
        await using var app = await DashboardTestApp.StartAsync();
        using var ops = app.Browser();
        var overview = await ops.OpenAsync("/strata");
        var scripts = overview.Document.QuerySelectorAll("script").Select(s => s.GetAttribute("src")!).ToList();
        var styles = overview.Document.QuerySelectorAll("link[rel=stylesheet]").Select(l => l.GetAttribute("href")!).ToList();

        scripts.Should().HaveCount(2).And.AllSatisfy(s => s.Should().MatchRegex(@"^/strata/assets/(uplot|dashboard)\.[0-9a-f]{16}\.js$"));
        styles.Should().HaveCount(2).And.AllSatisfy(s => s.Should().MatchRegex(@"^/strata/assets/(uplot|dashboard)\.[0-9a-f]{16}\.css$"));
        foreach (var url in scripts.Concat(styles))
        {
            var asset = await ops.OpenAsync(url);
            var cacheControl = asset.Headers.CacheControl!.ToString();
            cacheControl.Should().Contain("max-age=31536000").And.Contain("immutable").And.Contain("private");
            asset.ContentHeaders!.ContentType!.MediaType.Should().Be(url.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript" : "text/css");
            asset.Headers.GetValues("X-Content-Type-Options").Should().Equal(["nosniff"]);
        }

        (await ops.OpenAsync(scripts.Single(s => s.Contains("/uplot.", StringComparison.Ordinal)))).Body.Should().Contain("(v1.6.32)");
        (await ops.OpenAsync(scripts.Single(s => s.Contains("/dashboard.", StringComparison.Ordinal)))).Body.Should().Contain("document.hidden");
        (await ops.GetAsync("/strata/assets/uplot.0000000000000000.js")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_CSP_allows_scripts_only_from_the_dashboard_and_the_page_has_no_inline_script_or_style()
    {
        await using var app = await DashboardTestApp.StartAsync();
        using var ops = app.Browser();
        var overview = await ops.OpenAsync("/strata");

        var directives = overview.Headers.GetValues("Content-Security-Policy").Single().Split(';', StringSplitOptions.TrimEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        directives["script-src"].Should().Be("'self'");
        directives["style-src"].Should().Be("'self'");
        directives["connect-src"].Should().Be("'self'", "the script polls the series on the same origin");
        directives["default-src"].Should().Be("'none'");
        string.Join(';', directives.Values).Should().NotContain("unsafe");
        overview.Document.QuerySelectorAll("script").Should().OnlyContain(s => s.HasAttribute("src") && s.TextContent.Length == 0);
        overview.Document.QuerySelectorAll("[style]").Should().BeEmpty();
        overview.Document.All.SelectMany(e => e.Attributes).Select(a => a.Name).Should().NotContain(n => n.StartsWith("on", StringComparison.Ordinal));
        foreach (var src in overview.Document.QuerySelectorAll("script").Select(s => s.GetAttribute("src")!))
        {
            var script = (await ops.OpenAsync(src)).Body;
            script.Should().NotContain("eval(").And.NotContain("new Function").And.NotContain("innerHTML").And.NotContain("setAttribute(\"style\"");
        }
    }

    [Fact]
    public async Task A_healthy_store_shows_healthy_with_the_backends_description_and_the_time_it_was_read()
    {
        var (app, _) = await LiveDashboardHost.StartAsync();
        await using var __ = app;
        using var ops = app.Browser();

        var overview = await ops.OpenAsync("/strata");

        var row = StoreRow(overview, "Job store (in-memory)");
        row.Cells[1].TextContent.Should().Be("healthy");
        row.Cells[2].TextContent.Should().NotBeNullOrWhiteSpace().And.NotBe("—");
        row.Cells[3].QuerySelector("time")!.GetAttribute("datetime").Should().Be("2026-12-07T12:00:01.0000000Z");
    }

    [Fact]
    public async Task A_job_store_that_is_down_renders_the_overview_with_the_unhealthy_state_and_status_200()
    {
        var port = FreePort();   // nothing listens there: a Redis that is down
        await using var app = await DashboardTestApp.StartAsync(withJobs: false, build: b => b.Services
            .AddStrataJobs(o =>
            {
                o.AddQueue("default");
                o.RunWorkers = false;
            })
            .UseRedis($"127.0.0.1:{port},connectTimeout=500,connectRetry=0"));
        using var ops = app.Browser();

        var overview = await ops.GetAsync("/strata");

        overview.Status.Should().Be(HttpStatusCode.OK, overview.Body);
        var row = overview.Document.QuerySelectorAll("table.health tbody tr").OfType<AngleSharp.Html.Dom.IHtmlTableRowElement>().Single();
        row.Cells[0].TextContent.Should().StartWith("Job store");
        row.Cells[1].TextContent.Should().Be("unhealthy");
        row.Cells[2].TextContent.Should().NotBeNullOrWhiteSpace();
        row.Cells[3].QuerySelector("time").Should().NotBeNull();
        TestBrowser.Text(overview, "[role=alert]").Should().Contain("The job counts could not be read");
    }

    [Fact]
    public async Task The_collector_listens_only_once_the_dashboard_is_mapped_and_stops_with_the_host()
    {
        await using var unmapped = await DashboardTestApp.StartAsync(map: _ => { });
        var idle = unmapped.App.Services.GetRequiredService<LiveCollector>();
        Succeeded(unmapped).Add(1);
        idle.IsListening.Should().BeFalse();
        idle.Read().Values[LiveSeries.JobsSucceeded].Sum().Should().Be(0, "no listener ran the callback (it runs on the recording thread)");

        var app = await DashboardTestApp.StartAsync();
        var collector = app.App.Services.GetRequiredService<LiveCollector>();
        var succeeded = Succeeded(app);
        succeeded.Add(5);
        collector.IsListening.Should().BeTrue();
        collector.Read().Values[LiveSeries.JobsSucceeded].Sum().Should().Be(5);

        await app.DisposeAsync();
        succeeded.Add(7);
        collector.IsListening.Should().BeFalse();
        collector.Read().Values[LiveSeries.JobsSucceeded].Sum().Should().Be(5, "the listener stopped with the host");
    }

    /// <summary>
    /// A "strata.jobs.succeeded" counter on a Strata.Jobs meter scoped to the host's meter factory (so only this host's
    /// collector reads it) but owned by the test, so it outlives the host: a listener's callback runs synchronously on Add.
    /// </summary>
    private static Counter<long> Succeeded(DashboardTestApp app)
    {
        var meter = new Meter(new MeterOptions(LiveCollector.JobsMeter) { Scope = app.App.Services.GetRequiredService<IMeterFactory>() });
        return meter.CreateCounter<long>("strata.jobs.succeeded");
    }

    private static string[] Numbers(TestBrowser.Page page, string series) =>
        [.. page.Document.QuerySelector($"table.live tr[data-series={series}]")!.Children.Select(c => c.TextContent)];

    private static AngleSharp.Html.Dom.IHtmlTableRowElement StoreRow(TestBrowser.Page page, string store) =>
        page.Document.QuerySelectorAll("table.health tbody tr").OfType<AngleSharp.Html.Dom.IHtmlTableRowElement>().Single(r => r.Cells[0].TextContent == store);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
