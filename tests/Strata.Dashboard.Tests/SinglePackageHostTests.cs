using System.Net;

namespace Strata.Dashboard.Tests;

/// <summary>A host with one Strata package gets that package's section and no other, and no error.</summary>
public sealed class SinglePackageHostTests
{
    [Fact]
    public async Task A_host_with_only_Strata_ApiKeys_shows_the_keys_section_and_nothing_else()
    {
        await using var app = await PackageHosts.StartAsync(apiKeys: true);
        using var ops = app.Browser();

        var overview = await ops.OpenAsync("/strata");
        PackageHosts.Nav(overview).Should().Equal("Overview", "API keys");
        overview.Body.Should().NotContain("No Strata package is registered");
        overview.Document.QuerySelectorAll("main a").Select(a => a.TextContent).Should().Contain("API keys");
        PackageHosts.Nav(await ops.OpenAsync("/strata/keys")).Should().Equal("Overview", "API keys");
        foreach (var url in (string[])["/strata/queues", "/strata/jobs", "/strata/dead", "/strata/schedules", "/strata/ratelimits"])
        {
            var missing = await ops.GetAsync(url);
            missing.Status.Should().Be(HttpStatusCode.NotFound, url);
            TestBrowser.Text(missing, "[role=alert]").Should().Contain("did not register");
        }
    }

    [Fact]
    public async Task A_host_with_only_Strata_RateLimiting_shows_the_rate_limits_section_and_nothing_else()
    {
        await using var app = await PackageHosts.StartAsync(rateLimits: true);
        using var ops = app.Browser();

        var overview = await ops.OpenAsync("/strata");
        PackageHosts.Nav(overview).Should().Equal("Overview", "Rate limits");
        overview.Body.Should().NotContain("No Strata package is registered");
        overview.Document.QuerySelectorAll("table.health tbody tr").Select(r => r.TextContent).Should()
            .ContainSingle(r => r.Contains("Rate-limit store (in_process)", StringComparison.Ordinal) && r.Contains("healthy", StringComparison.Ordinal));
        var page = await ops.OpenAsync("/strata/ratelimits");
        PackageHosts.Nav(page).Should().Equal("Overview", "Rate limits");
        page.Document.QuerySelector("nav a[aria-current=page]")!.TextContent.Should().Be("Rate limits");
        foreach (var url in (string[])["/strata/queues", "/strata/jobs", "/strata/keys"])
        {
            (await ops.GetAsync(url)).Status.Should().Be(HttpStatusCode.NotFound, url);
        }

        (await ops.GetAsync("/strata/keys/some-id/revoke")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_host_with_only_Strata_Jobs_has_no_rate_limits_or_keys_section()
    {
        await using var app = await PackageHosts.StartAsync(jobs: true);
        using var ops = app.Browser();

        PackageHosts.Nav(await ops.OpenAsync("/strata")).Should().Equal("Overview", "Queues", "Jobs", "Dead letters", "Schedules");
        (await ops.GetAsync("/strata/ratelimits")).Status.Should().Be(HttpStatusCode.NotFound);
        (await ops.GetAsync("/strata/keys")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_host_with_all_three_packages_shows_every_section()
    {
        await using var app = await PackageHosts.StartAsync(jobs: true, rateLimits: true, apiKeys: true);
        using var ops = app.Browser();

        PackageHosts.Nav(await ops.OpenAsync("/strata")).Should().Equal("Overview", "Queues", "Jobs", "Dead letters", "Schedules", "Rate limits", "API keys");
    }
}
