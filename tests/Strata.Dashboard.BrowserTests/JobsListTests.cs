using Microsoft.Playwright;
using Strata.Dashboard.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Strata.Dashboard.BrowserTests;

/// <summary>The Jobs page: the filter form and paging by cursor.</summary>
[Collection(BrowserCollection.Name)]
public sealed class JobsListTests(BrowserHost host)
{
    private const int PageSize = 50;   // the dashboard's page size

    [Fact]
    public async Task Filtering_the_jobs_list_and_paging_with_the_cursor_shows_each_matching_job_once()
    {
        var owner = $"paging-{Guid.NewGuid():N}";
        var ids = new List<string>();
        for (var i = 0; i < PageSize + 5; i++)
        {
            // An hour away: they stay Scheduled while the test reads them.
            ids.Add(await host.EnqueueAsync(new ProbeJob(ProbeMode.Succeed, $"page item {i}"), owner, DashboardSampleFactory.OtherQueue, TimeSpan.FromHours(1)));
        }

        await host.EnqueueAsync(new ProbeJob(ProbeMode.Succeed, "another owner"), $"other-{Guid.NewGuid():N}", DashboardSampleFactory.OtherQueue, TimeSpan.FromHours(1));
        await using var session = await host.OpenAsync();
        var page = session.Page;
        await DashboardPages.OpenAsync(page, "/strata/jobs");

        await page.GetByLabel("State").SelectOptionAsync("Scheduled");
        await page.GetByLabel("Owner").FillAsync(owner);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        var rows = page.Locator("main table tbody tr");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"owner={owner}"));
        await Expect(rows).ToHaveCountAsync(PageSize);
        await Expect(page.GetByLabel("Owner")).ToHaveValueAsync(owner);
        var first = await rows.Locator("th a").AllTextContentsAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(5);
        await DashboardPages.CheckAsync(page);
        var second = await rows.Locator("th a").AllTextContentsAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Next page" })).ToHaveCountAsync(0);

        first.Concat(second).Should().BeEquivalentTo(ids, "every job of the owner shows once over the two pages, and no other");
        await Expect(rows.First).ToContainTextAsync("Scheduled");
    }
}
