using Strata.Dashboard.BrowserTests.Infrastructure;
using Strata.Jobs;
using static Microsoft.Playwright.Assertions;

namespace Strata.Dashboard.BrowserTests;

/// <summary>
/// Every page through axe-core (no serious or critical violation), with data on it, and the screenshots for the
/// Dashboard README (<c>STRATA_SCREENSHOTS=1</c>). A new page is one more line in <see cref="Pages"/>.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserHost host)
{
    [Fact]
    public async Task Every_dashboard_page_has_no_serious_or_critical_accessibility_violation()
    {
        var owner = $"axe-{Guid.NewGuid():N}";
        var succeeded = await host.EnqueueAsync(new ProbeJob(ProbeMode.Succeed, "report for March"), owner, DashboardSampleFactory.OtherQueue);
        var dead = await host.EnqueueAsync(new ProbeJob(ProbeMode.Fail, "The upstream model answered 503 three times."), owner, DashboardSampleFactory.OtherQueue);
        await host.EnqueueAsync(new ProbeJob(ProbeMode.Succeed, "tomorrow"), owner, DashboardSampleFactory.OtherQueue, TimeSpan.FromDays(1));
        await host.WaitForStateAsync(succeeded, JobState.Succeeded);
        await host.WaitForStateAsync(dead, JobState.Dead);
        var key = await host.CreateApiKeyAsync(["jobs:write", "analyze"], owner);
        await using var session = await host.OpenAsync();
        var page = session.Page;

        foreach (var (path, name) in Pages(succeeded, key.Record.Id))
        {
            await DashboardPages.OpenAsync(page, path, name);
        }

        await using var signedOut = await host.OpenAsync(signedIn: false);
        await signedOut.Page.GotoAsync("/strata-login");
        await Expect(DashboardPages.Heading(signedOut.Page)).ToHaveTextAsync("Sign in to the Strata dashboard");
        await DashboardPages.CheckAsync(signedOut.Page, "sign-in");
    }

    [Fact]
    public async Task The_accessibility_check_fails_on_a_dashboard_page_with_an_unlabelled_field()
    {
        await using var session = await host.OpenAsync();
        var page = session.Page;
        await DashboardPages.OpenAsync(page, "/strata/jobs");

        // The control for the test above: the same check, under the same Content-Security-Policy, on a broken page.
        await page.EvaluateAsync("""
            () => document.querySelector('main').insertAdjacentHTML('beforeend',
              '<input type="text" name="unlabelled">')
            """);
        var check = () => Accessibility.AssertNoSeriousViolationsAsync(page);

        var failure = await check.Should().ThrowAsync<Xunit.Sdk.XunitException>();
        failure.Which.Message.Should().Contain("[critical] label").And.Contain("input[name=\"unlabelled\"]");
    }

    /// <summary>
    /// Each page with the name of its screenshot (<c>docs/img/dashboard-{name}.png</c>), or none where a scenario takes
    /// a better one: the overview's once its charts are drawn (<see cref="LiveChartTests"/>), the rate limits' with a
    /// denial on it (<see cref="RateLimitsTests"/>).
    /// </summary>
    private static IEnumerable<(string Path, string? Name)> Pages(string jobId, string keyId) =>
    [
        ("/strata", null),
        ("/strata/queues", "queues"),
        ("/strata/jobs", "jobs"),
        (DashboardPages.JobPath(jobId), "job-detail"),
        ("/strata/dead", "dead-letters"),
        ("/strata/dead/confirm?action=requeue", "dead-letters-confirm"),
        ("/strata/schedules", "schedules"),
        ("/strata/ratelimits", null),
        ("/strata/keys", "keys"),
        ("/strata/keys/" + Uri.EscapeDataString(keyId) + "/revoke", null),
        ("/strata/keys/" + Uri.EscapeDataString(keyId) + "/rotate", null),
    ];
}
