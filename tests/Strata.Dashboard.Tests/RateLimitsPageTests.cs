using System.Net;

namespace Strata.Dashboard.Tests;

/// <summary>The rate-limits page after real decisions through real requests to rate-limited endpoints.</summary>
public sealed class RateLimitsPageTests
{
    [Fact]
    public async Task Decisions_and_denials_show_per_policy_with_the_partitions_denied_most()
    {
        await using var app = await PackageHosts.StartAsync(rateLimits: true);
        var statuses = new List<HttpStatusCode>();
        foreach (var client in (string[])["alice", "alice", "alice", "alice", "alice", "bob", "bob", "bob"])
        {
            statuses.Add(await app.CallAsClientAsync("/api/limited", client));
        }

        statuses.Count(s => s == HttpStatusCode.TooManyRequests).Should().Be(4);
        using var ops = app.Browser();
        var page = await ops.OpenAsync("/strata/ratelimits");

        page.Body.Should().Contain("Counted by this node");
        TestBrowser.Text(page, "#policy-per-client [data-field=decisions]").Should().Be("8");
        TestBrowser.Text(page, "#policy-per-client [data-field=denied]").Should().Be("4");
        var partitions = page.Document.QuerySelectorAll("#policy-per-client table.partitions tbody tr")
            .Select(r => (r.Children[0].TextContent, r.Children[1].TextContent)).ToArray();
        partitions.Should().Equal(("alice", "3"), ("bob", "1"));
        TestBrowser.Text(page, "#policy-shadow [data-field=decisions]").Should().Be("0");

        var policies = TestBrowser.Text(page, "table.policies");
        policies.Should().Contain("GCRA: 2 per 1 min").And.Contain("client header").And.Contain("fall back to this node's share");
        TestBrowser.Text(page, "[data-field=circuit]").Should().Be("closed");
        TestBrowser.Text(page, "[data-field=reachable]").Should().Be("yes");
        TestBrowser.Text(page, "table.store").Should().Contain("in_process");
    }

    [Fact]
    public async Task A_hostile_partition_key_is_shown_encoded()
    {
        await using var app = await PackageHosts.StartAsync(rateLimits: true);
        const string hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
        for (var i = 0; i < 3; i++)
        {
            await app.CallAsClientAsync("/api/limited", hostile);
        }

        using var ops = app.Browser();
        var page = await ops.OpenAsync("/strata/ratelimits");

        page.Body.Should().NotContain("<script>alert(1)</script>").And.NotContain("<img src=x");
        page.Body.Should().Contain("&lt;script&gt;alert(1)&lt;/script&gt;");
        page.Document.QuerySelectorAll("script, img").Should().BeEmpty();
        TestBrowser.Text(page, "#policy-per-client table.partitions tbody td code").Should().Be(hostile);
    }

    [Fact]
    public async Task Shadow_mode_would_deny_counts_show_and_nothing_was_rejected()
    {
        await using var app = await PackageHosts.StartAsync(rateLimits: true);
        for (var i = 0; i < 3; i++)
        {
            (await app.CallAsClientAsync("/api/shadow", "carol")).Should().Be(HttpStatusCode.OK);
        }

        using var ops = app.Browser();
        var page = await ops.OpenAsync("/strata/ratelimits");

        TestBrowser.Text(page, "#policy-shadow [data-field=decisions]").Should().Be("3");
        TestBrowser.Text(page, "#policy-shadow [data-field=shadow-denied]").Should().Be("2");
        TestBrowser.Text(page, "#policy-shadow [data-field=denied]").Should().Be("0");
        page.Document.QuerySelector("table.policies")!.TextContent.Should().Contain("counts, never rejects");
    }

    [Fact]
    public async Task The_page_is_read_only_and_shows_in_read_only_mode_too()
    {
        await using var app = await PackageHosts.StartAsync(rateLimits: true, configure: o =>
        {
            o.AuthorizationPolicy = "strata-admin";
            o.ReadOnly = true;
        });
        await app.CallAsClientAsync("/api/limited", "dave");
        using var ops = app.Browser();
        var page = await ops.OpenAsync("/strata/ratelimits");

        TestBrowser.Text(page, "#policy-per-client [data-field=decisions]").Should().Be("1");
        page.Document.QuerySelectorAll("form[method=post]").Should().BeEmpty();
    }
}
