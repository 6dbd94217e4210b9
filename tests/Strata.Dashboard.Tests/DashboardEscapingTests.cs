using System.Net;
using Strata.Jobs;

namespace Strata.Dashboard.Tests;

/// <summary>
/// Errors, results and owners come from users: a job carrying a script tag and an attribute-breaking image tag in
/// each of them is shown as text on every page, never as markup.
/// </summary>
public sealed class DashboardEscapingTests
{
    private const string Hostile = HostileHandler.Markup;

    [Fact]
    public async Task Hostile_error_result_and_owner_are_shown_escaped_on_every_page()
    {
        await using var app = await DashboardTestApp.StartAsync();
        var owner = new JobOptions { Owner = Hostile };
        var dead = await app.Queue.EnqueueAsync(new HostileJob(Fail: true), owner);
        var succeeded = await app.Queue.EnqueueAsync(new HostileJob(Fail: false), new JobOptions { Owner = Hostile });
        (await app.WaitForStateAsync(dead, JobState.Dead)).Error.Should().Be(Hostile, "the backend keeps the handler's message");
        (await app.WaitForStateAsync(succeeded, JobState.Succeeded)).Result!.Value.GetString().Should().Be(Hostile);
        using var ops = app.Browser();
        var encodedOwner = Uri.EscapeDataString(Hostile);

        var pages = new Dictionary<string, (TestBrowser.Page Page, int Times)>
        {
            ["jobs"] = (await ops.OpenAsync("/strata/jobs"), 2),                                 // the owner column
            ["jobs filtered by owner"] = (await ops.OpenAsync($"/strata/jobs?owner={encodedOwner}"), 3),   // + the field's value
            ["dead job"] = (await ops.OpenAsync($"/strata/jobs/{dead}"), 2),                      // owner, error
            ["succeeded job"] = (await ops.OpenAsync($"/strata/jobs/{succeeded}"), 1),            // owner (the result is JSON: below)
            ["dead letters"] = (await ops.OpenAsync("/strata/dead"), 2),                          // owner, error
            ["confirm"] = (await ops.OpenAsync($"/strata/dead/confirm?action=delete&owner={encodedOwner}"), 2),   // the filter shown, its hidden field
            ["bad state"] = (await ops.GetAsync($"/strata/jobs?state=x{encodedOwner}"), 1),
            ["unknown job"] = (await ops.GetAsync($"/strata/jobs/{encodedOwner}"), 0),           // the id keeps its %2F: no literal copy
        };

        foreach (var (name, (page, times)) in pages)
        {
            page.Body.Should().NotContain("<script", name).And.NotContain("<img", name).And.NotContain("onerror=alert(1)>", name);
            page.Document.QuerySelectorAll("script, img").Should().BeEmpty(name);
            page.Document.QuerySelectorAll("[onerror]").Should().BeEmpty(name);
            page.Body.Should().Contain("&lt;img src=x onerror=alert(1)&gt;", name).And.Contain("&lt;script&gt;alert(1)&lt;", name);
            var shown = page.Document.DocumentElement.TextContent.Split(Hostile).Length - 1
                + page.Document.QuerySelectorAll("input").Count(i => i.GetAttribute("value") == Hostile);
            shown.Should().BeGreaterThanOrEqualTo(times, $"{name} shows the hostile text literally, as text or as a field's value");
        }

        var result = pages["succeeded job"].Page.Document.QuerySelector("#result")!.TextContent;
        result.Should().Be("\"" + Hostile.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"", "the result is shown as its JSON, readable");
        pages["bad state"].Page.Status.Should().Be(HttpStatusCode.BadRequest);
        pages["unknown job"].Page.Status.Should().Be(HttpStatusCode.NotFound);
        pages["confirm"].Page.Document.QuerySelector("#count")!.TextContent.Should().Be("1", "one dead job has that owner");
    }
}
