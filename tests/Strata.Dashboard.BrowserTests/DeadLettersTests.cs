using Microsoft.Playwright;
using Strata.Dashboard.BrowserTests.Infrastructure;
using Strata.Jobs;
using static Microsoft.Playwright.Assertions;

namespace Strata.Dashboard.BrowserTests;

/// <summary>The Dead letters page: bulk requeue through a confirmation page that shows the count.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DeadLettersTests(BrowserHost host)
{
    [Fact]
    public async Task Requeueing_a_dead_job_from_the_dead_letters_page_confirms_the_count_and_the_job_then_succeeds()
    {
        var owner = $"dead-{Guid.NewGuid():N}";
        var id = await host.EnqueueAsync(new ProbeJob(ProbeMode.FailOnce, "The first run fails on purpose."), owner, DashboardSampleFactory.OtherQueue);
        await host.WaitForStateAsync(id, JobState.Dead);
        await using var session = await host.OpenAsync();
        var page = session.Page;

        await DashboardPages.OpenAsync(page, $"/strata/dead?owner={owner}");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = id })).ToContainTextAsync("The first run fails on purpose.");
        await page.GetByRole(AriaRole.Link, new() { Name = "Requeue every dead job matching this filter…" }).ClickAsync();

        await Expect(page.Locator("#count")).ToHaveTextAsync("1");
        await DashboardPages.CheckAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Requeue 1 jobs" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Requeued 1 dead jobs.");

        await host.WaitForStateAsync(id, JobState.Succeeded);
        await DashboardPages.OpenAsync(page, DashboardPages.JobPath(id));
        await Expect(DashboardPages.Term(page, "State")).ToHaveTextAsync("Succeeded");
    }
}
