using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Strata.Jobs;
using Strata.Jobs.Testing;

namespace Strata.Dashboard.Tests;

/// <summary>Each page renders what the jobs backend holds; a host without Strata.Jobs gets an overview that says so.</summary>
public sealed class DashboardPagesTests
{
    [Fact]
    public async Task Overview_and_queues_show_counts_per_state_the_oldest_waiting_job_and_pause_buttons()
    {
        await using var app = await DashboardTestApp.StartAsync();
        await app.MakeDeadJobsAsync("q", 2, queue: "reports");
        await app.PauseAndWaitAsync("default");
        var waiting = await app.Queue.EnqueueAsync(new RecordJob("waiting"));   // stays queued: its queue is paused
        using var ops = app.Browser();

        var overview = await ops.OpenAsync("/strata");
        Cell(overview, "Dead").Should().Be("2");
        Cell(overview, "Queued").Should().Be("1");

        var queues = await ops.OpenAsync("/strata/queues");
        var reports = Row(queues, "reports");
        reports.Cells[2 + (int)JobState.Dead].TextContent.Should().Be("2");
        reports.Cells[1].TextContent.Should().Be("running");
        var @default = Row(queues, "default");
        @default.Cells[1].TextContent.Should().Be("paused");
        @default.Cells[2 + (int)JobState.Queued].TextContent.Should().Be("1");
        @default.Cells[^2].TextContent.Should().MatchRegex(@"^\d+ s$", "the oldest waiting job's age");
        TestBrowser.FindForm(queues, "/queues/default/resume").Should().NotBeNull();
        TestBrowser.FindForm(queues, "/queues/reports/pause").Should().NotBeNull();
        (await app.Store.GetAsync(waiting))!.State.Should().Be(JobState.Queued);
    }

    [Fact]
    public async Task Jobs_page_filters_lists_newest_first_pages_by_cursor_and_links_each_row_to_its_detail()
    {
        await using var app = await DashboardTestApp.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 55; i++)
        {
            ids.Add(await app.Queue.EnqueueAsync(new RecordJob($"r{i}"), new JobOptions { Owner = "tenant-a", Queue = "reports" }));
        }

        foreach (var id in ids)
        {
            await app.WaitForStateAsync(id, JobState.Succeeded);
        }

        await app.MakeDeadJobsAsync("other", 1);
        using var ops = app.Browser();

        var first = await ops.OpenAsync("/strata/jobs?state=Succeeded&queue=reports&owner=tenant-a");
        var rows = first.Document.QuerySelectorAll("tbody tr").OfType<IHtmlTableRowElement>().ToList();
        rows.Should().HaveCount(50);
        rows.Select(r => r.Cells[3].TextContent).Should().OnlyContain(s => s == "Succeeded");
        first.Document.QuerySelector<IHtmlSelectElement>("#f-state")!.Value.Should().Be("Succeeded", "the form shows the filter");
        first.Document.QuerySelector("label[for=f-owner]").Should().NotBeNull("every field has a label");
        var shownIds = rows.Select(r => r.Cells[0].TextContent).ToList();

        var next = first.Document.QuerySelector("a[rel=next]")!.GetAttribute("href")!;
        next.Should().Contain("owner=tenant-a").And.Contain("cursor=");
        var second = await ops.OpenAsync(next);
        var rest = second.Document.QuerySelectorAll("tbody tr").OfType<IHtmlTableRowElement>().Select(r => r.Cells[0].TextContent).ToList();
        rest.Should().HaveCount(5);
        second.Document.QuerySelector("a[rel=next]").Should().BeNull();
        shownIds.Concat(rest).Should().BeEquivalentTo(ids);
        var created = await Task.WhenAll(shownIds.Concat(rest).Select(async id => (await app.Store.GetAsync(id))!.CreatedAt));
        created.Should().BeInDescendingOrder("newest first");

        var link = first.Document.QuerySelector("tbody tr th a")!.GetAttribute("href")!;
        var detail = await ops.OpenAsync(link);
        detail.Document.QuerySelector("h1")!.TextContent.Should().Be("Job " + shownIds[0]);

        var after = await ops.OpenAsync("/strata/jobs?after=2999-01-01T00:00");
        after.Body.Should().Contain("No job matches.");
    }

    [Fact]
    public async Task Job_detail_shows_state_attempts_owner_error_and_timings_with_the_actions_its_state_allows()
    {
        await using var app = await DashboardTestApp.StartAsync();
        var dead = (await app.MakeDeadJobsAsync("detail", 1))[0];
        using var ops = app.Browser();
        var page = await ops.OpenAsync($"/strata/jobs/{dead}");
        var facts = page.Document.QuerySelectorAll("dt").ToDictionary(dt => dt.TextContent, dt => dt.NextElementSibling!.TextContent);
        facts["State"].Should().Be("Dead");
        facts["Owner"].Should().Be("tenant-detail");
        facts["Queue"].Should().Be("default");
        facts["Attempts"].Should().StartWith("1 of 1");
        facts["Created"].Should().EndWith("Z");
        facts["Completed"].Should().EndWith("Z");
        page.Document.QuerySelector("#error")!.TextContent.Should().Be("The handler failed with InvalidOperationException.");
        TestBrowser.FindForm(page, "/requeue").Should().NotBeNull();
        TestBrowser.FindForm(page, "/delete").Should().NotBeNull();
        TestBrowser.FindForm(page, "/cancel").Should().BeNull("a dead job is finished");

        var waiting = await app.Queue.EnqueueAsync(new RecordJob("w"), new JobOptions { Queue = "reports", Delay = TimeSpan.FromHours(1) });
        var queued = await ops.OpenAsync($"/strata/jobs/{waiting}");
        TestBrowser.FindForm(queued, "/cancel").Should().NotBeNull();
        TestBrowser.FindForm(queued, "/delete").Should().BeNull("a scheduled job is not finished");
        TestBrowser.FindForm(queued, "/requeue").Should().BeNull();

        (await ops.GetAsync("/strata/jobs/unknown-id")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Dead_letters_and_schedules_pages_show_their_rows()
    {
        await using var app = await DashboardTestApp.StartAsync();
        var dead = await app.MakeDeadJobsAsync("dl", 2, queue: "reports");
        using var ops = app.Browser();
        var page = await ops.OpenAsync("/strata/dead?queue=reports");
        var rows = page.Document.QuerySelectorAll("tbody tr").OfType<IHtmlTableRowElement>().ToList();
        rows.Select(r => r.Cells[0].TextContent).Should().BeEquivalentTo(dead);
        rows.Should().OnlyContain(r => r.Cells[7].TextContent == "The handler failed with InvalidOperationException.");
        page.Document.QuerySelector("#f-state").Should().BeNull("the dead-letter page shows dead jobs only");

        var schedules = await ops.OpenAsync("/strata/schedules");
        var nightly = Row(schedules, "nightly");
        nightly.Cells[1].TextContent.Should().Be("0 3 * * *");
        nightly.Cells[5].TextContent.Should().Be("active");
        nightly.Cells[6].TextContent.Should().EndWith("Z", "the next run");
        TestBrowser.FindForm(schedules, "/schedules/nightly/trigger").Should().NotBeNull();
        TestBrowser.FindForm(schedules, "/schedules/nightly/pause").Should().NotBeNull();
    }

    [Theory]
    [InlineData("/strata/jobs?state=Exploded", "Unknown state 'Exploded'")]
    [InlineData("/strata/jobs?state=3", "Unknown state '3'")]
    [InlineData("/strata/jobs?after=yesterday", "'yesterday' in 'after' is not a date")]
    [InlineData("/strata/dead?before=31/31/2026", "is not a date")]
    [InlineData("/strata/jobs?cursor=not-a-cursor", "cursor")]
    [InlineData("/strata/jobs?queue=nowhere", "nowhere")]
    [InlineData("/strata/dead/confirm?action=explode", "Unknown action 'explode'")]
    public async Task Bad_input_gets_a_400_page_with_the_message(string url, string message)
    {
        await using var app = await DashboardTestApp.StartAsync();
        using var ops = app.Browser();
        var page = await ops.GetAsync(url);
        page.Status.Should().Be(HttpStatusCode.BadRequest, page.Body);
        page.ContentHeaders!.ContentType!.MediaType.Should().Be("text/html");
        TestBrowser.Text(page, "[role=alert]").Should().Contain(message);
    }

    [Fact]
    public async Task Without_Strata_Jobs_the_overview_says_nothing_is_registered_and_the_job_pages_are_404()
    {
        await using var app = await DashboardTestApp.StartAsync(withJobs: false);
        using var ops = app.Browser();
        var overview = await ops.OpenAsync("/strata");
        overview.Document.QuerySelector("main p")!.TextContent.Should().Contain("No Strata package is registered");
        overview.Document.QuerySelectorAll("nav a").Select(a => a.TextContent).Should().Equal("Overview");
        foreach (var url in new[] { "/strata/queues", "/strata/jobs", "/strata/dead", "/strata/schedules" })
        {
            var page = await ops.GetAsync(url);
            page.Status.Should().Be(HttpStatusCode.NotFound, url);
            TestBrowser.Text(page, "[role=alert]").Should().Contain("did not register Strata.Jobs");
        }

        (await ops.PostAsync("/strata/queues/default/pause", [])).Status.Should().Be(HttpStatusCode.BadRequest, "no token, so no action");
    }

    private static string Cell(TestBrowser.Page page, string header)
    {
        var headers = page.Document.QuerySelectorAll("thead th").Select(th => th.TextContent).ToList();
        return page.Document.QuerySelectorAll("tbody tr td")[headers.IndexOf(header)].TextContent;
    }

    private static IHtmlTableRowElement Row(TestBrowser.Page page, string name) =>
        page.Document.QuerySelectorAll("tbody tr").OfType<IHtmlTableRowElement>().Single(r => r.Cells[0].TextContent == name);
}
