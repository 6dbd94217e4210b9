using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Strata.Dashboard.BrowserTests.Infrastructure;
using Strata.Jobs;
using static Microsoft.Playwright.Assertions;

namespace Strata.Dashboard.BrowserTests;

/// <summary>The Schedules page: trigger the sample's nightly purge now and see its job run.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SchedulesTests(BrowserHost host)
{
    [Fact]
    public async Task Triggering_a_schedule_on_the_schedules_page_runs_its_job()
    {
        await using var session = await host.OpenAsync();
        var page = session.Page;
        await DashboardPages.OpenAsync(page, "/strata/schedules");

        await page.GetByRole(AriaRole.Button, new() { Name = "Trigger nightly-purge now" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/strata/jobs/[^/]+$"));
        var id = Uri.UnescapeDataString(new Uri(page.Url).Segments[^1]);
        await host.WaitForStateAsync(id, JobState.Succeeded);
        await page.ReloadAsync();
        await Expect(DashboardPages.Term(page, "State")).ToHaveTextAsync("Succeeded");
        await Expect(DashboardPages.Term(page, "Type")).ToHaveTextAsync("purge-finished-jobs");
        await DashboardPages.OpenAsync(page, "/strata/schedules");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "nightly-purge" }).GetByRole(AriaRole.Link, new() { Name = "job" }))
            .ToHaveAttributeAsync("href", DashboardPages.JobPath(id));
    }
}
