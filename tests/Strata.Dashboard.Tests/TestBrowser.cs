using System.Net;
using System.Net.Http.Headers;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Strata.Dashboard.Tests;

/// <summary>
/// What a browser does with the dashboard, over the TestServer client: keeps the cookies it is given, parses each
/// page with AngleSharp, and submits a page's forms with the fields they hold (the antiforgery token included).
/// </summary>
internal sealed class TestBrowser(HttpClient client, string? user, string? roles) : IDisposable
{
    private static readonly HtmlParser Parser = new();
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    /// <summary>The last response: its status, headers and body.</summary>
    public sealed record Page(HttpStatusCode Status, HttpResponseHeaders Headers, HttpContentHeaders? ContentHeaders, string Body, IHtmlDocument Document);

    public async Task<Page> GetAsync(string url) => await SendAsync(new HttpRequestMessage(HttpMethod.Get, url));

    /// <summary>GETs <paramref name="url"/> and expects 200.</summary>
    public async Task<Page> OpenAsync(string url)
    {
        var page = await GetAsync(url);
        page.Status.Should().Be(HttpStatusCode.OK, "GET {0} answered {1}", url, page.Body);
        return page;
    }

    /// <summary>Submits the POST form whose action ends with <paramref name="actionSuffix"/> on <paramref name="page"/>.</summary>
    public async Task<Page> SubmitAsync(Page page, string actionSuffix, Action<Dictionary<string, string>>? change = null)
    {
        var form = FindForm(page, actionSuffix) ?? throw new Xunit.Sdk.XunitException($"No form posts to …{actionSuffix} on the page:\n{page.Body}");
        var fields = form.Elements.OfType<IHtmlInputElement>().Where(i => i.Name is not null).ToDictionary(i => i.Name!, i => i.Value);
        change?.Invoke(fields);
        return await PostAsync(form.GetAttribute("action")!, fields);
    }

    public async Task<Page> PostAsync(string url, IEnumerable<KeyValuePair<string, string>> fields) =>
        await SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) });

    public static IHtmlFormElement? FindForm(Page page, string actionSuffix) =>
        page.Document.QuerySelectorAll("form[method=post]").OfType<IHtmlFormElement>()
            .FirstOrDefault(f => f.GetAttribute("action")?.EndsWith(actionSuffix, StringComparison.Ordinal) == true);

    private async Task<Page> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            if (user is not null)
            {
                request.Headers.Add(TestAuthentication.UserHeader, user);
                if (roles is not null)
                {
                    request.Headers.Add(TestAuthentication.RolesHeader, roles);
                }
            }

            if (_cookies.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
            }

            using var response = await client.SendAsync(request);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var setCookie in setCookies)
                {
                    var pair = setCookie.Split(';')[0];
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    _cookies[pair[..equals]] = pair[(equals + 1)..];
                }
            }

            var body = await response.Content.ReadAsStringAsync();
            var document = await Parser.ParseDocumentAsync(body);
            return new Page(response.StatusCode, response.Headers, response.Content.Headers, body, document);
        }
    }

    /// <summary>The text of the element matching <paramref name="selector"/>.</summary>
    public static string Text(Page page, string selector) =>
        page.Document.QuerySelector(selector)?.TextContent.Trim() ?? throw new Xunit.Sdk.XunitException($"Nothing matches {selector}:\n{page.Body}");

    public void Dispose() => client.Dispose();
}
