using System.Text.Encodings.Web;
using System.Text.Json;
using Strata.Dashboard.BrowserTests.Infrastructure;
using Strata.Jobs;
using static Microsoft.Playwright.Assertions;

namespace Strata.Dashboard.BrowserTests;

/// <summary>Payloads, errors and owners come from users: the pages show them as text, even without the CSP.</summary>
[Collection(BrowserCollection.Name)]
public sealed class HostileDataTests(BrowserHost host)
{
    private const string Hostile = "<script>alert('from-error')</script><img src=x onerror=\"alert('from-img')\">\"'><b>bold</b>";

    [Fact]
    public async Task A_job_whose_payload_error_and_owner_hold_markup_renders_them_as_text_and_runs_nothing()
    {
        var owner = $"<img src=x onerror=alert('owner')>{Guid.NewGuid():N}";
        var id = await host.EnqueueAsync(new ProbeJob(ProbeMode.Fail, Hostile), owner, DashboardSampleFactory.OtherQueue);
        await host.WaitForStateAsync(id, JobState.Dead);
        // Without the Content-Security-Policy only the HTML encoding stands between the data and the page.
        await using var session = await host.OpenAsync(bypassCsp: true);
        var page = session.Page;
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };

        var query = "?owner=" + Uri.EscapeDataString(owner);
        foreach (var path in new[] { DashboardPages.JobPath(id), "/strata/jobs" + query, "/strata/dead" + query })
        {
            await DashboardPages.OpenAsync(page, path);
            await Expect(page.GetByText(owner).First).ToBeVisibleAsync();
            (await page.Locator("script").CountAsync()).Should().Be(0, "no script element came from the data on {0}", path);
            (await page.Locator("img").CountAsync()).Should().Be(0, "no img element came from the data on {0}", path);
            (await page.Locator("main b").CountAsync()).Should().Be(0, "no markup came from the data on {0}", path);
        }

        await DashboardPages.OpenAsync(page, DashboardPages.JobPath(id));
        await Expect(page.Locator("pre#error")).ToHaveTextAsync(Hostile);   // the last error, verbatim
        await Expect(page.GetByLabel("Owner")).ToHaveCountAsync(0);
        await page.GotoAsync("/strata/jobs" + query);
        await Expect(page.GetByLabel("Owner")).ToHaveValueAsync(owner);   // the attribute holds it whole
        dialogs.Should().BeEmpty("no script from the data ran");

        // The control: a script that does run in this context opens a dialog, so an empty list above means something.
        await page.EvaluateAsync("() => alert('control')");
        dialogs.Should().Equal("control");
    }

    [Fact]
    public async Task A_job_whose_payload_holds_markup_shows_it_as_text_on_its_detail_page_and_runs_nothing()
    {
        var id = await host.EnqueueAsync(new ProbeJob(ProbeMode.Succeed, Hostile), $"payload-{Guid.NewGuid():N}", DashboardSampleFactory.OtherQueue);
        await host.WaitForStateAsync(id, JobState.Succeeded);
        await using var session = await host.OpenAsync(bypassCsp: true);
        var page = session.Page;
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };

        await DashboardPages.OpenAsync(page, DashboardPages.JobPath(id));

        // The payload is shown as indented JSON, so the text appears as a JSON string (its quotes escaped).
        var asJson = JsonSerializer.Serialize(Hostile, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        await Expect(page.Locator("pre#payload")).ToContainTextAsync(asJson);
        await Expect(page.Locator("pre#result")).ToContainTextAsync(asJson);   // the probe echoes it in its result
        (await page.Locator("script").CountAsync()).Should().Be(0, "no script element came from the payload");
        (await page.Locator("img").CountAsync()).Should().Be(0, "no img element came from the payload");
        (await page.Locator("main b").CountAsync()).Should().Be(0, "no markup came from the payload");
        (await page.Locator("pre#payload *").CountAsync()).Should().Be(0, "the payload block holds text only");
        dialogs.Should().BeEmpty("no script from the payload ran");

        // The control: a script that does run in this context opens a dialog, so an empty list above means something.
        await page.EvaluateAsync("() => alert('control')");
        dialogs.Should().Equal("control");
    }
}
