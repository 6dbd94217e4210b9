using System.Net;
using Strata.Jobs;

namespace Strata.Dashboard.Tests;

/// <summary>Every response under the prefix carries the strict headers: pages, errors, the 401 and 403, the asset.</summary>
public sealed class DashboardHeadersTests
{
    private const string Csp =
        "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    [Fact]
    public async Task Every_page_error_and_refusal_carries_the_CSP_nosniff_no_referrer_and_no_store()
    {
        await using var app = await DashboardTestApp.StartAsync();
        var jobId = await app.Queue.EnqueueAsync(new Strata.Jobs.Testing.RecordJob("headers"));
        await app.WaitForStateAsync(jobId, JobState.Succeeded);
        using var ops = app.Browser();
        using var anonymous = app.Browser(user: null);
        using var outsider = app.Browser(roles: "reader");
        var pages = new List<(string What, TestBrowser.Page Page)>();
        foreach (var url in new[] { "/strata", "/strata/", "/strata/queues", "/strata/jobs", $"/strata/jobs/{jobId}", "/strata/dead", "/strata/dead/confirm?action=requeue", "/strata/schedules" })
        {
            pages.Add((url, await ops.OpenAsync(url)));
        }

        pages.Add(("bad state", await ops.GetAsync("/strata/jobs?state=Exploded")));
        pages.Add(("unknown job", await ops.GetAsync("/strata/jobs/nope")));
        pages.Add(("missing token", await ops.PostAsync("/strata/queues/default/pause", [])));
        pages.Add(("anonymous", await anonymous.GetAsync("/strata/jobs")));
        pages.Add(("outsider", await outsider.GetAsync("/strata/jobs")));
        var stylesheet = pages[0].Page.Document.QuerySelector("link[rel=stylesheet]")!.GetAttribute("href")!;
        pages.Add(("stylesheet", await ops.OpenAsync(stylesheet)));
        pages.Add(("anonymous stylesheet", await anonymous.GetAsync(stylesheet)));

        foreach (var (what, page) in pages)
        {
            page.Headers.GetValues("Content-Security-Policy").Should().ContainSingle().Which.Should().Be(Csp, what);
            page.Headers.GetValues("X-Content-Type-Options").Should().Equal(["nosniff"], what);
            page.Headers.GetValues("Referrer-Policy").Should().Equal(["no-referrer"], what);
            var cacheControl = page.Headers.CacheControl!.ToString();
            if (what == "stylesheet")
            {
                cacheControl.Should().Contain("max-age=31536000").And.Contain("immutable").And.Contain("private");
            }
            else
            {
                cacheControl.Should().Be("no-store", what);
            }
        }
    }

    [Fact]
    public async Task Stylesheet_is_embedded_addressed_by_its_hash_and_the_page_links_nothing_outside()
    {
        await using var app = await DashboardTestApp.StartAsync();
        using var ops = app.Browser();
        var page = await ops.OpenAsync("/strata/queues");
        var href = page.Document.QuerySelector("link[rel=stylesheet]")!.GetAttribute("href")!;
        href.Should().MatchRegex(@"^/strata/assets/dashboard\.[0-9a-f]{16}\.css$");
        var css = await ops.OpenAsync(href);
        css.ContentHeaders!.ContentType!.MediaType.Should().Be("text/css");
        css.Body.Should().Contain("font-family: system-ui").And.NotContain("url(");
        (await ops.GetAsync("/strata/assets/dashboard.0000000000000000.css")).Status.Should().Be(HttpStatusCode.NotFound);

        page.Document.QuerySelectorAll("script").Should().BeEmpty("this part needs no JavaScript");
        foreach (var reference in page.Document.QuerySelectorAll("[href],[src],[action]")
            .Select(e => e.GetAttribute("href") ?? e.GetAttribute("src") ?? e.GetAttribute("action")!))
        {
            reference.Should().StartWith("/strata", "every link and asset stays on the dashboard");
        }

        page.Document.DocumentElement.GetAttribute("lang").Should().Be("en");
        page.Document.QuerySelector("h1")!.TextContent.Should().Be("Queues");
        page.Document.QuerySelectorAll("th[scope=col]").Should().NotBeEmpty();
    }
}
