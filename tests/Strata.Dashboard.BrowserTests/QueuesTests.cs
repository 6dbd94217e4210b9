using Microsoft.Playwright;
using Strata.Dashboard.BrowserTests.Infrastructure;
using Strata.Jobs;
using static Microsoft.Playwright.Assertions;

namespace Strata.Dashboard.BrowserTests;

/// <summary>The Queues page: pause and resume steer the workers.</summary>
[Collection(BrowserCollection.Name)]
public sealed class QueuesTests(BrowserHost host)
{
    private const string Paused = DashboardSampleFactory.QueueToPause;

    [Fact]
    public async Task Pausing_a_queue_on_the_queues_page_stops_workers_taking_its_jobs_until_it_is_resumed()
    {
        await using var session = await host.OpenAsync();
        var page = session.Page;
        await DashboardPages.OpenAsync(page, "/strata/queues");
        var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = Paused, Exact = true }) });

        // The workers read the pause flags every 500 ms; this host logs QueuePaused when it has seen the flag.
        var workersSawPause = host.Sample.Events.WaitForAsync("QueuePaused", $"'{Paused}'");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Pause {Paused}" }).ClickAsync();
        await Expect(row).ToContainTextAsync("paused");
        await workersSawPause;

        var owner = $"pause-{Guid.NewGuid():N}";
        var held = await host.EnqueueAsync(new ProbeJob(ProbeMode.Succeed, "held"), owner, Paused);
        var later = await host.EnqueueAsync(new ProbeJob(ProbeMode.Succeed, "enqueued after"), owner, DashboardSampleFactory.OtherQueue);
        await host.WaitForStateAsync(later, JobState.Succeeded);   // the workers are taking jobs: one enqueued after it ran
        (await host.Store.GetAsync(held))!.State.Should().Be(JobState.Queued, "its queue is paused");
        await DashboardPages.OpenAsync(page, DashboardPages.JobPath(held));
        await Expect(DashboardPages.Term(page, "State")).ToHaveTextAsync("Queued");

        await DashboardPages.OpenAsync(page, "/strata/queues");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Resume {Paused}" }).ClickAsync();
        await Expect(row).ToContainTextAsync("running");
        await host.WaitForStateAsync(held, JobState.Succeeded);
        await DashboardPages.OpenAsync(page, DashboardPages.JobPath(held));
        await Expect(DashboardPages.Term(page, "State")).ToHaveTextAsync("Succeeded");
    }
}
