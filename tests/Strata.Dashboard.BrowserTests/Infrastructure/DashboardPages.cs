using Microsoft.Playwright;

namespace Strata.Dashboard.BrowserTests.Infrastructure;

/// <summary>
/// What every scenario does with a dashboard page: open it (expecting 200), check it with axe, and save its
/// screenshot when asked. A scenario for a new page is <c>await DashboardPages.OpenAsync(page, "/strata/keys", "keys")</c>
/// followed by its own clicks.
/// </summary>
public static class DashboardPages
{
    public const string Prefix = "/strata";

    /// <summary>Opens <paramref name="path"/>, checks accessibility and saves the screenshot <paramref name="screenshot"/> (if given).</summary>
    public static async Task OpenAsync(IPage page, string path, string? screenshot = null)
    {
        var response = await page.GotoAsync(path);
        response.Should().NotBeNull();
        response!.Status.Should().Be(200, "{0} should render", path);
        await CheckAsync(page, screenshot);
    }

    /// <summary>Checks the page the browser is on now (after a click) the same way.</summary>
    public static async Task CheckAsync(IPage page, string? screenshot = null)
    {
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        if (screenshot is not null)
        {
            await Screenshots.SaveAsync(page, screenshot);
        }
    }

    /// <summary>The value of a <c>&lt;dt&gt;</c> term on a detail page (State, Attempts, ...).</summary>
    public static ILocator Term(IPage page, string term) =>
        page.Locator("dl > dt").Filter(new() { HasTextRegex = new($"^{term}$") }).Locator("xpath=following-sibling::dd[1]");

    /// <summary>The page's main heading.</summary>
    public static ILocator Heading(IPage page) => page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    /// <summary>The detail page of a job.</summary>
    public static string JobPath(string jobId) => $"{Prefix}/jobs/{Uri.EscapeDataString(jobId)}";
}
