using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

/// <summary>
/// The API reference page (<c>/scalar</c>) asks no outside host for anything: every asset it references is served by
/// the app, no outside URL appears in the page or the app's own small scripts, and the outside URLs inside Scalar's
/// vendored bundle are each listed below with why the page never requests them.
/// </summary>
public sealed partial class ScalarPageTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    /// <summary>
    /// Hosts named inside Scalar's bundle (<c>scalar.js</c>, 4.9 MB of minified JavaScript, shipped in
    /// Scalar.AspNetCore 2.19.0), each with why the page does not request it. A host not listed here fails the test,
    /// so a Scalar upgrade that adds one is looked at.
    /// </summary>
    private static readonly Dictionary<string, string> BundleExceptions = new(StringComparer.OrdinalIgnoreCase)
    {
        // Turned off by this page's configuration (asserted below).
        ["fonts.scalar.com"] = "@font-face rules of the default fonts (Inter, JetBrains Mono): added only with withDefaultFonts, which is false",
        ["api.scalar.com"] = "Agent Scalar and document sharing: the agent is disabled and sharing lives in the developer tools, which are hidden",
        ["proxy.scalar.com"] = "request proxy of Agent Scalar and sharing (both off); Test Request goes straight to this app (no proxyUrl configured)",
        ["registry.scalar.com"] = "Agent Scalar's registry documents (the agent is disabled)",
        ["dashboard.scalar.com"] = "the developer tools' 'register' and 'dashboard' actions (developer tools hidden)",
        ["app.loops.so"] = "newsletter form of the developer tools, posted only when a reader submits it (developer tools hidden)",
        ["app.cal.com"] = "booking widget of the developer tools, loaded only when a reader opens it (developer tools hidden)",

        // Links a reader may follow (navigation, not a request of the page).
        ["scalar.com"] = "links: pricing, terms, privacy, product pages",
        ["www.scalar.com"] = "link to Scalar's site",
        ["docs.scalar.com"] = "link in Scalar's product menu",
        ["editor.scalar.com"] = "link in Scalar's product menu",
        ["client.scalar.com"] = "link of the 'open in API client' button",
        ["scalar.cal.com"] = "link: book a call with Scalar",
        ["github.com"] = "links to Scalar's and its dependencies' repositories, issues and licences",
        ["discord.gg"] = "link: Scalar's Discord",
        ["x.com"] = "link: Scalar on X",
        ["developer.mozilla.org"] = "links from HTTP header and status names to their MDN pages",
        ["developers.cloudflare.com"] = "links from Cloudflare header names to their documentation",
        ["cloud.google.com"] = "link from X-Cloud-Trace-Context to its documentation",
        ["vuejs.org"] = "link in a Vue error message",
        ["html.spec.whatwg.org"] = "link in an HTML parser error message",
        ["unhead.unjs.io"] = "link in a developer warning",
        ["tailwindcss.com"] = "licence comment",
        ["apidocumentation.com"] = "text of Scalar's feature list (free hosting on apidocumentation.com)",

        // Text, never fetched: placeholders, example values, identifiers.
        ["galaxy.scalar.com"] = "placeholder text of OAuth URL fields",
        ["127.0.0.1"] = "placeholder text of the OAuth redirect URL field",
        ["localhost"] = "Scalar's own development-mode URLs (isDevelopment is false here)",
        ["scratch"] = "base of a URL built in memory to format paths (new URL('http://scratch'))",
        ["www.ibm.com"] = "DOCTYPE public identifier known to the HTML parser",
        ["example.com"] = "example values and documentation snippets",
        ["api.example.com"] = "example value in documentation of x-scalar-selected-server",
        ["picsum.photos"] = "example image URLs of the example-value generator (text in examples)",
        ["loremflickr.com"] = "example image URL of the example-value generator (text in examples)",
        ["avatars.githubusercontent.com"] = "example avatar URLs of the example-value generator (text in examples)",
        ["api-hub.com"] = "example domain of the example-value generator",
        ["byte-craft.io"] = "example domain of the example-value generator",
        ["cloud-nest.org"] = "example domain of the example-value generator",
        ["code-base.dev"] = "example domain of the example-value generator",
        ["data-flow.co"] = "example domain of the example-value generator",
        ["dev-portal.net"] = "example domain of the example-value generator",
        ["my-app.io"] = "example domain of the example-value generator",
        ["open-source.dev"] = "example domain of the example-value generator",
        ["tech-wave.net"] = "example domain of the example-value generator",
        ["test-site.org"] = "example domain of the example-value generator",
        ["web-pulse.io"] = "example domain of the example-value generator",
        ["."] = "a regular expression's text, not a URL",
    };

    [Fact]
    public async Task The_page_and_its_own_scripts_name_no_outside_host_and_every_asset_is_served_by_the_app()
    {
        using var client = factory.CreateClient(apiKey: null);
        var page = await client.GetStringAsync("/scalar/");

        var assets = Assets(page, client.BaseAddress!);

        assets.Select(a => a.AbsolutePath).Should().Contain(["/scalar/scalar.js", "/scalar/scalar.aspnetcore.js", "/scalar/favicon.svg"]);
        var texts = new Dictionary<string, string> { ["/scalar/"] = page };
        foreach (var asset in assets)
        {
            asset.Authority.Should().Be(client.BaseAddress!.Authority, "every asset comes from the app itself");
            using var response = await client.GetAsync(asset);
            response.StatusCode.Should().Be(HttpStatusCode.OK, $"the app serves {asset}");
            texts[asset.AbsolutePath] = await response.Content.ReadAsStringAsync();
        }

        foreach (var (path, text) in texts.Where(t => t.Key != "/scalar/scalar.js"))
        {
            OutsideHosts(text, client.BaseAddress!).Should().BeEmpty($"{path} is the app's own and names no outside host");
        }
    }

    [Fact]
    public async Task The_page_turns_off_scalars_default_fonts_telemetry_agent_and_developer_tools()
    {
        using var client = factory.CreateClient(apiKey: null);
        var page = await client.GetStringAsync("/scalar/");

        var configuration = Configuration(page);

        configuration.GetProperty("withDefaultFonts").GetBoolean().Should().BeFalse("the default fonts come from fonts.scalar.com");
        configuration.GetProperty("telemetry").GetBoolean().Should().BeFalse();
        configuration.GetProperty("agent").GetProperty("disabled").GetBoolean().Should().BeTrue();
        configuration.GetProperty("showDeveloperTools").GetString().Should().Be("never");
        configuration.TryGetProperty("proxyUrl", out _).Should().BeFalse("Test Request goes straight to the app");
    }

    [Fact]
    public async Task Every_outside_host_in_scalars_bundle_is_listed_with_the_reason_the_page_never_asks_it()
    {
        using var client = factory.CreateClient(apiKey: null);
        var bundle = await client.GetStringAsync("/scalar/scalar.js");

        var hosts = OutsideHosts(bundle, client.BaseAddress!);

        hosts.Should().NotBeEmpty("the scan reads the bundle");
        hosts.Where(host => !BundleExceptions.ContainsKey(host)).Should().BeEmpty("every outside host of the bundle is listed with its reason");
        foreach (Match font in Regex.Matches(bundle, @"https://fonts\.scalar\.com/[^)\s""'`]*"))
        {
            bundle[Math.Max(0, font.Index - 9)..font.Index].Should().EndWith("src: url(", "fonts.scalar.com appears only in the default fonts' @font-face rules");
        }
    }

    private static List<Uri> Assets(string page, Uri baseAddress)
    {
        var pageUri = new Uri(baseAddress, "/scalar/");
        var references = AssetReference().Matches(page).Select(m => m.Groups["url"].Value)
            .Concat([Configuration(page).GetProperty("favicon").GetString()!]);
        return [.. references.Select(reference => new Uri(pageUri, reference)).Distinct()];
    }

    private static JsonElement Configuration(string page)
    {
        var match = InitializeCall().Match(page);
        match.Success.Should().BeTrue("the page passes its configuration to Scalar's initialize()");
        using var json = JsonDocument.Parse(match.Groups["config"].Value);
        return json.RootElement.Clone();
    }

    // Absolute http(s) URLs whose host is not the app's, minus XML namespace URIs (an xmlns attribute's value, e.g.
    // the favicon's xmlns:svgjs="http://svgjs.com/svgjs"; and www.w3.org's SVG, MathML, XHTML namespaces in scripts)
    // and JSON Schema's dialect identifiers (json-schema.org): names, never fetched.
    private static List<string> OutsideHosts(string text, Uri app)
        => [.. AbsoluteUrl().Matches(XmlNamespace().Replace(text, string.Empty))
            .Select(m => m.Groups["host"].Value.ToLowerInvariant())
            .Where(host => host != app.Host && host is not "www.w3.org" and not "json-schema.org")
            .Distinct()
            .Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"(?:src|href)=""(?<url>[^""]+)""|\bfrom\s+'(?<url>[^']+)'")]
    private static partial Regex AssetReference();

    [GeneratedRegex(@"initialize\(\s*'[^']*',\s*\w+,\s*(?<config>\{.*\}),\s*'[^']*'\)", RegexOptions.Singleline)]
    private static partial Regex InitializeCall();

    [GeneratedRegex(@"\bxmlns(?::[\w-]+)?=""[^""]*""")]
    private static partial Regex XmlNamespace();

    [GeneratedRegex(@"https?://(?<host>[A-Za-z0-9.-]+)")]
    private static partial Regex AbsoluteUrl();
}
