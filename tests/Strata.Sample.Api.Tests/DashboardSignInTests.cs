using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Strata.ApiKeys;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

/// <summary>
/// The dashboard's cookie sign-in for browsers (<c>/strata-login</c>): an admin key pasted into the form is checked by
/// the API-key scheme and exchanged for a short-lived cookie; other keys are refused; API clients keep their 401.
/// </summary>
public sealed partial class DashboardSignInTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    [Fact]
    public async Task Admin_key_pasted_into_the_form_gets_a_strict_cookie_that_opens_the_dashboard()
    {
        var key = await factory.CreateKeyAsync(["admin"]);
        using var browser = Browser();

        using var response = await SignInAsync(browser, key, returnUrl: "/strata/queues");

        response.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        response.Headers.Location!.OriginalString.Should().Be("/strata/queues");
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("strata-dashboard=", StringComparison.Ordinal));
        cookie.Should().ContainEquivalentOf("httponly").And.ContainEquivalentOf("samesite=strict").And.ContainEquivalentOf("path=/")
            .And.NotContainEquivalentOf("secure", "the test server speaks plain HTTP (Secure follows the request)")
            .And.NotContain(key);
        cookie.Should().NotContainEquivalentOf("expires=", "a session cookie: gone with the browser; the ticket inside expires after 30 minutes");

        using var queues = await browser.GetAsync("/strata/queues");
        queues.StatusCode.Should().Be(HttpStatusCode.OK);
        (await queues.Content.ReadAsStringAsync()).Should().Contain("<h1>Queues</h1>");
        factory.Logs.All.Should().Contain("Dashboard sign-in with key").And.NotContain(key).And.NotContain(key[^20..]);
    }

    [Fact]
    public async Task Key_without_the_admin_scope_is_refused_with_a_message_and_gets_no_cookie()
    {
        var key = await factory.CreateKeyAsync(["jobs:write", "analyze"]);
        using var browser = Browser();

        using var response = await SignInAsync(browser, key, returnUrl: "/strata");

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var page = await response.Content.ReadAsStringAsync();
        page.Should().Contain("This key has no admin scope").And.NotContain(key).And.NotContain(key[^20..]);
        response.Headers.TryGetValues("Set-Cookie", out var cookies);
        (cookies ?? []).Should().NotContain(c => c.StartsWith("strata-dashboard=", StringComparison.Ordinal));
        (await browser.GetAsync("/strata")).StatusCode.Should().Be(HttpStatusCode.Redirect, "still not signed in");
        factory.Logs.All.Should().NotContain(key[^20..]);
    }

    [Fact]
    public async Task Unknown_or_revoked_key_is_refused_without_being_echoed()
    {
        var key = await factory.CreateKeyAsync(["admin"], owner: "revoked-before-sign-in");
        var id = (await Manager().ListAsync("revoked-before-sign-in")).Single().Id;
        await Manager().RevokeAsync(id);
        using var browser = Browser();

        using var revoked = await SignInAsync(browser, key, returnUrl: "/strata");
        using var unknown = await SignInAsync(browser, "sk_sample_" + new string('A', 49), returnUrl: "/strata");

        revoked.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await revoked.Content.ReadAsStringAsync()).Should().Contain("revoked").And.Contain("Sign-in refused").And.NotContain(key[^20..]);
        unknown.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await unknown.Content.ReadAsStringAsync()).Should().Contain("Sign-in refused").And.NotContain(new string('A', 49));
    }

    [Fact]
    public async Task Sign_in_post_without_the_antiforgery_token_is_refused_and_signs_nobody_in()
    {
        var key = await factory.CreateKeyAsync(["admin"]);
        using var browser = Browser();

        using var response = await browser.PostAsync("/strata-login", new FormUrlEncodedContent([new("key", key), new("returnUrl", "/strata")]));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("antiforgery token").And.NotContain(key[^20..]);
        (await browser.GetAsync("/strata")).StatusCode.Should().Be(HttpStatusCode.Redirect);

        await browser.GetStringAsync("/strata-login");   // the antiforgery cookie, so the form itself is read
        using var broken = new StringContent("--x\r\nnot a part", System.Text.Encoding.UTF8);
        broken.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data");   // no boundary
        using var brokenResponse = await browser.PostAsync("/strata-login", broken);
        brokenResponse.StatusCode.Should().Be(HttpStatusCode.BadRequest, "a body that is no form is bad input, not a 500");
        using var json = await browser.PostAsync("/strata-login", new StringContent("{\"key\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));
        json.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Browser_is_sent_to_the_form_for_dashboard_pages_only_and_api_clients_keep_their_401()
    {
        using var browser = Browser();

        using var page = await browser.GetAsync("/strata/jobs?state=Dead");
        using var apiCall = await Api().GetAsync("/strata/jobs");
        using var apiRouteFromBrowser = await browser.GetAsync("/admin/jobs");

        page.StatusCode.Should().Be(HttpStatusCode.Redirect);
        page.Headers.Location!.AbsolutePath.Should().Be("/strata-login");
        page.Headers.Location.Query.Should().Be("?ReturnUrl=%2Fstrata%2Fjobs%3Fstate%3DDead");
        apiCall.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        apiCall.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        apiCall.Headers.WwwAuthenticate.Should().NotBeEmpty();
        apiRouteFromBrowser.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the API's own routes never redirect");
        apiRouteFromBrowser.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");

        using var form = await browser.GetAsync(page.Headers.Location);
        (await form.Content.ReadAsStringAsync()).Should().Contain("name=\"returnUrl\" value=\"/strata/jobs?state=Dead\"");
    }

    [Fact]
    public async Task Revoking_the_key_ends_its_browser_session_on_the_next_request()
    {
        var key = await factory.CreateKeyAsync(["admin"], owner: "revoke-session");
        using var browser = Browser();
        (await SignInAsync(browser, key, returnUrl: "/strata")).StatusCode.Should().Be(HttpStatusCode.SeeOther);
        (await browser.GetAsync("/strata")).StatusCode.Should().Be(HttpStatusCode.OK);

        var id = (await Manager().ListAsync("revoke-session")).Single().Id;
        await Manager().RevokeAsync(id);

        using var after = await browser.GetAsync("/strata");
        after.StatusCode.Should().Be(HttpStatusCode.Redirect);
        after.Headers.Location!.AbsolutePath.Should().Be("/strata-login");
    }

    [Fact]
    public async Task Sign_out_clears_the_cookie_and_an_open_redirect_is_not_followed()
    {
        var key = await factory.CreateKeyAsync(["admin"]);
        using var browser = Browser();
        using var signIn = await SignInAsync(browser, key, returnUrl: "//elsewhere.invalid/strata");
        signIn.Headers.Location!.OriginalString.Should().Be("/strata", "only paths under the dashboard are followed");

        var formPage = await browser.GetStringAsync("/strata-login");
        formPage.Should().Contain("Signed in with key").And.Contain("action=\"/strata-login/sign-out\"");
        using var signOut = await browser.PostAsync("/strata-login/sign-out", new FormUrlEncodedContent([new("__RequestVerificationToken", Token(formPage))]));

        signOut.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        (await browser.GetAsync("/strata")).StatusCode.Should().Be(HttpStatusCode.Redirect, "signed out");
    }

    [Fact]
    public async Task Sign_in_ends_after_thirty_minutes()
    {
        using var frozen = new FrozenClockFactory();
        var key = await frozen.CreateKeyAsync(["admin"]);
        frozen.CreateClient().Dispose();
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = frozen.ClientOptions.BaseAddress };
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        (await SignInAsync(browser, key, returnUrl: "/strata")).StatusCode.Should().Be(HttpStatusCode.SeeOther);

        frozen.Clock.Advance(TimeSpan.FromMinutes(29));
        (await browser.GetAsync("/strata")).StatusCode.Should().Be(HttpStatusCode.OK, "29 minutes in, still signed in");
        frozen.Clock.Advance(TimeSpan.FromMinutes(2));
        using var expired = await browser.GetAsync("/strata");

        expired.StatusCode.Should().Be(HttpStatusCode.Redirect, "31 minutes in, the form asks for the key again");
        expired.Headers.Location!.AbsolutePath.Should().Be("/strata-login");
    }

    /// <summary>The sample with a clock the test moves.</summary>
    public sealed class FrozenClockFactory : SampleApiFactory
    {
        public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

        protected override FakeTimeProvider? Time => Clock;
    }

    private IApiKeyManager Manager() => factory.Services.GetRequiredService<IApiKeyManager>();

    /// <summary>Cookies kept, redirects not followed (to see them), and the Accept header a browser sends for a page.</summary>
    private HttpClient Browser()
    {
        var client = Client(cookies: true);
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        return client;
    }

    private HttpClient Api()
    {
        var client = Client(cookies: false);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    private HttpClient Client(bool cookies)
    {
        factory.CreateClient().Dispose();   // starts the server, so the base address is Kestrel's
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = cookies };
        return new HttpClient(handler) { BaseAddress = factory.ClientOptions.BaseAddress };
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string key, string returnUrl)
    {
        var form = await browser.GetStringAsync("/strata-login");
        return await browser.PostAsync("/strata-login", new FormUrlEncodedContent(
            [new("__RequestVerificationToken", Token(form)), new("key", key), new("returnUrl", returnUrl)]));
    }

    private static string Token(string page) => TokenPattern().Match(page).Groups[1].Value is { Length: > 0 } token
        ? token
        : throw new InvalidOperationException("The page has no antiforgery token.");

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
