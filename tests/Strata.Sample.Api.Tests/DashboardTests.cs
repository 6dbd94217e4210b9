using System.Net;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

/// <summary>The Strata dashboard the sample mounts at <c>/strata</c>: for keys with the admin scope only.</summary>
public sealed class DashboardTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    [Fact]
    public async Task Dashboard_answers_admin_keys_only_and_shows_the_queues_and_the_nightly_purge()
    {
        using var anonymous = factory.CreateClient();
        using var anonymousPage = await anonymous.GetAsync("/strata");
        anonymousPage.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        anonymousPage.Headers.GetValues("Content-Security-Policy").Single().Should().StartWith("default-src 'none'");
        using var writer = factory.CreateClient(await factory.CreateKeyAsync(["jobs:write"]));
        (await writer.GetAsync("/strata/queues")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "jobs:write is not the admin scope");

        using var admin = factory.CreateClient(await factory.CreateKeyAsync(["admin"]));
        using var queues = await admin.GetAsync("/strata/queues");
        queues.StatusCode.Should().Be(HttpStatusCode.OK);
        queues.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        var html = await queues.Content.ReadAsStringAsync();
        html.Should().Contain("action=\"/strata/queues/default/pause\"").And.Contain("__RequestVerificationToken");

        using var schedules = await admin.GetAsync("/strata/schedules");
        (await schedules.Content.ReadAsStringAsync()).Should().Contain("nightly-purge");
        (await admin.PostAsync("/strata/queues/default/pause", content: null)).StatusCode.Should().Be(HttpStatusCode.BadRequest, "no antiforgery token");
    }
}
