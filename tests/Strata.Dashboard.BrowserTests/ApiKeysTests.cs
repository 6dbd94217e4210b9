using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Strata.ApiKeys;
using Strata.Dashboard.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Strata.Dashboard.BrowserTests;

/// <summary>
/// The API keys page steering real requests: a key's state changed in the browser is what the sample's next request
/// over HTTP (Kestrel, the X-Api-Key header) meets.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ApiKeysTests(BrowserHost host)
{
    private const string KeysPath = DashboardPages.Prefix + "/keys";

    [Fact]
    public async Task Revoked_key_gets_401_on_its_next_request_after_the_confirmation_page()
    {
        var key = await host.CreateApiKeyAsync(["analyze"], $"revoke-{Guid.NewGuid():N}");
        var id = key.Record.Id;
        using var http = host.CreateHttpClient();
        (await AnalyzeAsync(http, key.Key)).Should().Be(HttpStatusCode.OK, "the new key works before the page touches it");
        await using var session = await host.OpenAsync();
        var page = session.Page;

        await DashboardPages.OpenAsync(page, KeysPath);
        await Expect(State(page, id)).ToHaveTextAsync("active");
        await Row(page, id).GetByRole(AriaRole.Link, new() { Name = "Revoke…" }).ClickAsync();
        await Expect(DashboardPages.Heading(page)).ToHaveTextAsync($"Revoke key {id}");
        await DashboardPages.CheckAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = $"Revoke {id}" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(KeysPath) + "$"));
        await Expect(State(page, id)).ToHaveTextAsync("revoked");
        await Expect(Row(page, id).GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        (await AnalyzeAsync(http, key.Key)).Should().Be(HttpStatusCode.Unauthorized, "a revoked key is refused on its next request");
    }

    [Fact]
    public async Task Disabling_a_key_on_the_page_refuses_its_requests_and_enabling_it_lets_them_in_again()
    {
        var key = await host.CreateApiKeyAsync(["analyze"], $"disable-{Guid.NewGuid():N}");
        var id = key.Record.Id;
        using var http = host.CreateHttpClient();
        (await AnalyzeAsync(http, key.Key)).Should().Be(HttpStatusCode.OK);
        await using var session = await host.OpenAsync();
        var page = session.Page;
        await DashboardPages.OpenAsync(page, KeysPath);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Disable {id}" }).ClickAsync();
        await Expect(State(page, id)).ToHaveTextAsync("disabled");
        await DashboardPages.CheckAsync(page);
        (await AnalyzeAsync(http, key.Key)).Should().Be(HttpStatusCode.Unauthorized, "the sample answers a disabled key like an unknown one");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Enable {id}" }).ClickAsync();
        await Expect(State(page, id)).ToHaveTextAsync("active");
        (await AnalyzeAsync(http, key.Key)).Should().Be(HttpStatusCode.OK, "the enabled key works again");
    }

    [Fact]
    public async Task Rotating_a_key_shows_the_new_key_once_and_the_new_key_works()
    {
        var key = await host.CreateApiKeyAsync(["analyze"], $"rotate-{Guid.NewGuid():N}");
        var id = key.Record.Id;
        using var http = host.CreateHttpClient();
        await using var session = await host.OpenAsync();
        var page = session.Page;
        await DashboardPages.OpenAsync(page, KeysPath);

        await Row(page, id).GetByRole(AriaRole.Link, new() { Name = "Rotate…" }).ClickAsync();
        await Expect(DashboardPages.Heading(page)).ToHaveTextAsync($"Rotate key {id}");
        await DashboardPages.CheckAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate, old key works no longer (ends now)" }).ClickAsync();

        await Expect(DashboardPages.Heading(page)).ToHaveTextAsync("Key rotated");
        await DashboardPages.CheckAsync(page);
        var shown = (await page.Locator("output#new-key").TextContentAsync())!.Trim();
        shown.Should().StartWith("sk_sample_").And.NotBe(key.Key);
        (await AnalyzeAsync(http, shown)).Should().Be(HttpStatusCode.OK, "the key shown is the new, working key");
        (await AnalyzeAsync(http, key.Key)).Should().Be(HttpStatusCode.Unauthorized, "the overlap chosen was none: the old key ended now");

        // A reload sends the form again: the old key is already rotated, so the answer is a refusal, not the key.
        var reload = await page.ReloadAsync();
        reload!.Status.Should().Be(409);
        await Expect(DashboardPages.Heading(page)).ToHaveTextAsync("Not rotated");
        (await page.ContentAsync()).Should().NotContain(shown[^20..], "the new key is shown once");
        await DashboardPages.OpenAsync(page, KeysPath);
        await Expect(State(page, id)).ToContainTextAsync("replaced by");
        (await page.ContentAsync()).Should().NotContain(shown[^20..]);
    }

    private static ILocator Row(IPage page, string id) => page.Locator($"tr[data-key='{id}']");

    private static ILocator State(IPage page, string id) => Row(page, id).Locator("[data-field='state']");

    /// <summary>One call of the sample's API with <paramref name="key"/>: POST /v1/analyze (scope analyze).</summary>
    private static async Task<HttpStatusCode> AnalyzeAsync(HttpClient http, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/analyze")
        {
            Content = JsonContent.Create(new { text = "The quarterly report looks good." }),
        };
        request.Headers.Add(ApiKeyDefaults.HeaderName, key);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
