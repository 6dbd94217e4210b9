using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Strata.Dashboard.BrowserTests.Infrastructure;
using Strata.Jobs;
using static Microsoft.Playwright.Assertions;

namespace Strata.Dashboard.BrowserTests;

/// <summary>A job's detail page: cancel a running job, then delete it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class JobDetailTests(BrowserHost host)
{
    [Fact]
    public async Task Cancelling_a_running_job_and_then_deleting_it_from_its_detail_page()
    {
        var id = await host.EnqueueAsync(new ProbeJob(ProbeMode.RunUntilCancelled, "runs until cancelled"), $"detail-{Guid.NewGuid():N}",
            DashboardSampleFactory.OtherQueue);
        await host.WaitForStateAsync(id, JobState.Running);
        await using var session = await host.OpenAsync();
        var page = session.Page;
        await DashboardPages.OpenAsync(page, DashboardPages.JobPath(id));
        await Expect(DashboardPages.Term(page, "State")).ToHaveTextAsync("Running");

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(DashboardPages.JobPath(id)) + "$"));
        await host.WaitForStateAsync(id, JobState.Cancelled);
        await page.ReloadAsync();
        await Expect(DashboardPages.Term(page, "State")).ToHaveTextAsync("Cancelled");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/strata/jobs$"));
        (await host.Store.GetAsync(id)).Should().BeNull("the job was deleted");
        var gone = await page.GotoAsync(DashboardPages.JobPath(id));
        gone!.Status.Should().Be(404);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync($"No job has the id '{id}'");
    }
}
