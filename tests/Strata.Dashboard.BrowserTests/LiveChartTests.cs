using System.Globalization;
using System.Net.Http.Json;
using Strata.ApiKeys;
using Strata.Dashboard.BrowserTests.Infrastructure;
using Strata.Jobs;
using static Microsoft.Playwright.Assertions;

namespace Strata.Dashboard.BrowserTests;

/// <summary>The overview's live charts: uPlot draws under the Content-Security-Policy and dashboard.js keeps the numbers current.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LiveChartTests(BrowserHost host)
{
    /// <summary>Collects the page's CSP violation reports, from before the first script of the page runs.</summary>
    private const string ListenForViolations = """
        window.__strataCsp = [];
        document.addEventListener('securitypolicyviolation', e => {
          const text = e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline');
          window.__strataCsp.push(text);
          console.error('strata-csp-violation ' + text);
        });
        """;

    [Fact]
    public async Task The_overview_chart_draws_without_a_csp_violation_and_its_numbers_follow_the_jobs_that_run()
    {
        var owner = $"live-{Guid.NewGuid():N}";
        foreach (var i in Enumerable.Range(0, 3))
        {
            await host.WaitForStateAsync(await host.EnqueueAsync(new ProbeJob(ProbeMode.Succeed, $"live {i}"), owner, DashboardSampleFactory.OtherQueue), JobState.Succeeded);
        }

        await SendOneApiRequestAsync();   // a rate-limit decision on this node, so the second chart has its rows
        await using var session = await host.OpenAsync();
        var page = session.Page;
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };
        await page.AddInitScriptAsync(ListenForViolations);

        await DashboardPages.OpenAsync(page, "/strata");
        var live = page.Locator("section#live");
        // uPlot draws into a canvas inside the figure dashboard.js adds once the first poll of /strata/live answers.
        await Expect(live.Locator("figure.chart canvas").First).ToBeVisibleAsync();
        await Expect(live.Locator("figure.chart figcaption").First).ToHaveTextAsync("Jobs per 5 s");
        var status = live.Locator("[data-live-status]");
        await Expect(status).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Updated "));
        var firstStatus = await status.TextContentAsync();
        var succeeded = live.Locator("tr[data-series='jobsSucceeded'] td[data-buckets='180']");
        var before = Number(await succeeded.TextContentAsync());
        before.Should().BeGreaterThanOrEqualTo(3, "the three jobs above ran on this node in the last 15 minutes");

        await host.WaitForStateAsync(await host.EnqueueAsync(new ProbeJob(ProbeMode.Succeed, "one more"), owner, DashboardSampleFactory.OtherQueue), JobState.Succeeded);

        // The next poll (every 5 s; the assertion waits up to BrowserHost.Timeout) brings the new job and a new status.
        await Expect(succeeded).Not.ToHaveTextAsync(before.ToString(CultureInfo.InvariantCulture));
        Number(await succeeded.TextContentAsync()).Should().BeGreaterThan(before);
        await Expect(status).Not.ToHaveTextAsync(firstStatus!);
        await Expect(status).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Updated "));
        await DashboardPages.CheckAsync(page, "overview");

        (await Violations(page)).Should().BeEmpty("the charts draw under the dashboard's Content-Security-Policy");
        consoleErrors.Should().BeEmpty("the overview's scripts ran without an error");

        // The control: content the policy forbids (an image from another origin) is reported to the same listener.
        // The listener writes each report to the console too: that message is the event waited for.
        await page.RunAndWaitForConsoleMessageAsync(
            () => page.EvaluateAsync("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<img alt=\"\" src=\"http://127.0.0.2:9/x.png\">')"),
            new() { Predicate = message => message.Type == "error" && message.Text.StartsWith("strata-csp-violation img-src", StringComparison.Ordinal) });
        (await Violations(page)).Should().ContainSingle().Which.Should().StartWith("img-src", "the listener above would have reported a violation");
    }

    private static Task<string[]> Violations(Microsoft.Playwright.IPage page) => page.EvaluateAsync<string[]>("() => window.__strataCsp");

    private static long Number(string? text) => long.Parse(text!, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private async Task SendOneApiRequestAsync()
    {
        var key = await host.CreateKeyAsync(["analyze"], $"live-{Guid.NewGuid():N}");
        using var http = host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/analyze") { Content = JsonContent.Create(new { text = "Live numbers." }) };
        request.Headers.Add(ApiKeyDefaults.HeaderName, key);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }
}
