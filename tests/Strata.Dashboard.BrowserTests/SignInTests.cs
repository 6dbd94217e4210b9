using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Strata.Dashboard.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Strata.Dashboard.BrowserTests;

/// <summary>The sample's sign-in form for the dashboard, in a browser: admin keys get in, other keys are refused.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SignInTests(BrowserHost host)
{
    [Fact]
    public async Task Admin_signs_in_through_the_form_and_lands_on_the_page_asked_for()
    {
        await using var session = await host.OpenAsync(signedIn: false);
        var page = session.Page;

        await page.GotoAsync("/strata/queues");
        await Expect(page).ToHaveURLAsync(new Regex("/strata-login\\?ReturnUrl=%2Fstrata%2Fqueues$"));
        await DashboardPages.CheckAsync(page);
        await page.GetByLabel("Admin API key").FillAsync(host.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/strata/queues$"));
        await Expect(DashboardPages.Heading(page)).ToHaveTextAsync("Queues");
        (await page.ContentAsync()).Should().NotContain(host.AdminKey);
        var cookie = (await session.Context.CookiesAsync()).Should().ContainSingle(c => c.Name == "strata-dashboard").Subject;
        cookie.HttpOnly.Should().BeTrue();
        cookie.SameSite.Should().Be(SameSiteAttribute.Strict);
        cookie.Value.Should().NotContain(host.AdminKey[^20..]);
    }

    [Fact]
    public async Task Key_without_the_admin_scope_is_refused_and_stays_out()
    {
        var key = await host.CreateKeyAsync(["jobs:write", "analyze"], owner: "browser-writer");
        await using var session = await host.OpenAsync(signedIn: false);
        var page = session.Page;

        await BrowserHost.SignInThroughFormAsync(page, key);

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("This key has no admin scope");
        await Expect(page).ToHaveURLAsync(new Regex("/strata-login$"));
        await DashboardPages.CheckAsync(page);
        (await page.ContentAsync()).Should().NotContain(key[^20..]);
        (await session.Context.CookiesAsync()).Should().NotContain(c => c.Name == "strata-dashboard");
        await page.GotoAsync("/strata/jobs");
        await Expect(page).ToHaveURLAsync(new Regex("/strata-login\\?ReturnUrl=%2Fstrata%2Fjobs$"));
    }
}
