using System.Net;
using Strata.ApiKeys;
using Strata.Dashboard.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Strata.Dashboard.BrowserTests;

/// <summary>The Rate limits page after a real 429 from the sample: the policy's denial and the partition denied.</summary>
[Collection(BrowserCollection.Name)]
public sealed class RateLimitsTests(BrowserHost host)
{
    /// <summary>The sample's limit on the key-management routes, per key (<c>Api:AdminRequestsPerMinute</c>, 30 a minute).</summary>
    private const string Policy = "admin";

    /// <summary>
    /// More requests than the admin policy lets one key send in a minute (30, so GCRA denies one by the 31st sent
    /// back to back); the loop stops at the first 429 and fails if none comes.
    /// </summary>
    private const int MaxRequests = 100;

    [Fact]
    public async Task Driving_a_key_over_its_limit_shows_the_denial_and_the_partition_on_the_rate_limits_page()
    {
        var key = await host.CreateApiKeyAsync(["admin"], $"limits-{Guid.NewGuid():N}");
        using var http = host.CreateHttpClient();
        var statuses = new List<HttpStatusCode>();
        while (statuses.Count < MaxRequests && (statuses.Count == 0 || statuses[^1] != HttpStatusCode.TooManyRequests))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/keys");
            request.Headers.Add(ApiKeyDefaults.HeaderName, key.Key);
            using var response = await http.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        statuses[^1].Should().Be(HttpStatusCode.TooManyRequests, "the admin policy denies a key that sends {0} requests at once", MaxRequests);
        statuses[..^1].Should().AllBeEquivalentTo(HttpStatusCode.OK, "the requests before the denial were admitted");
        await using var session = await host.OpenAsync();
        var page = session.Page;

        await DashboardPages.OpenAsync(page, "/strata/ratelimits#policy-" + Policy, "ratelimits");

        var section = page.Locator($"section#policy-{Policy}");
        var denied = long.Parse((await section.Locator("[data-field='denied']").TextContentAsync())!, System.Globalization.CultureInfo.InvariantCulture);
        denied.Should().BeGreaterThanOrEqualTo(1, "the 429 above was a denial of policy {0}", Policy);
        var decisions = long.Parse((await section.Locator("[data-field='decisions']").TextContentAsync())!, System.Globalization.CultureInfo.InvariantCulture);
        decisions.Should().BeGreaterThanOrEqualTo(statuses.Count, "every request above was a decision of policy {0}", Policy);
        var partition = section.Locator("table.partitions tbody tr").Filter(new() { HasText = key.Record.Id });
        await Expect(partition).ToHaveCountAsync(1);
        var partitionDenied = long.Parse((await partition.Locator("td.number").TextContentAsync())!, System.Globalization.CultureInfo.InvariantCulture);
        partitionDenied.Should().BeGreaterThanOrEqualTo(1, "the key's partition was denied");
        (await page.ContentAsync()).Should().NotContain(key.Key[^20..], "the page names the key by its id, never by the key");
    }
}
