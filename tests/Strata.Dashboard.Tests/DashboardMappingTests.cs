using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Dashboard.Tests;

/// <summary>The mapping: any prefix, links under it, and the returned group takes the host's own conventions.</summary>
public sealed class DashboardMappingTests
{
    [Fact]
    public async Task A_prefix_with_slashes_is_normalized_and_the_returned_group_takes_more_conventions()
    {
        await using var app = await DashboardTestApp.StartAsync(map: web => web
            .MapStrataDashboard("ops/dashboard/", o => o.AuthorizationPolicy = "strata-admin")
            .AddEndpointFilter(async (context, next) =>
            {
                context.HttpContext.Response.Headers["X-Host-Convention"] = "yes";
                return await next(context);
            }));
        using var ops = app.Browser();
        var page = await ops.OpenAsync("/ops/dashboard/queues");
        page.Headers.GetValues("X-Host-Convention").Should().Equal("yes");
        page.Headers.GetValues("Content-Security-Policy").Should().ContainSingle();
        page.Document.QuerySelectorAll("nav a").Select(a => a.GetAttribute("href"))
            .Should().Equal("/ops/dashboard/", "/ops/dashboard/queues", "/ops/dashboard/jobs", "/ops/dashboard/dead", "/ops/dashboard/schedules");
        (await ops.OpenAsync(page.Document.QuerySelector("link[rel=stylesheet]")!.GetAttribute("href")!)).Body.Should().Contain("system-ui");

        var paused = await ops.SubmitAsync(page, "/ops/dashboard/queues/default/pause");
        paused.Headers.Location!.ToString().Should().Be("/ops/dashboard/queues");
        (await app.Admin.GetQueuesAsync()).Single(q => q.Name == "default").Paused.Should().BeTrue();
        (await ops.GetAsync("/strata/queues")).Status.Should().Be(HttpStatusCode.NotFound, "only the given prefix is mapped");
    }

    [Fact]
    public async Task Pausing_an_unknown_queue_or_triggering_an_unknown_schedule_answers_a_page_that_says_so()
    {
        await using var app = await DashboardTestApp.StartAsync();
        using var ops = app.Browser();
        var page = await ops.OpenAsync("/strata/queues");
        var token = page.Document.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var fields = new Dictionary<string, string> { ["__RequestVerificationToken"] = token };

        var unknownQueue = await ops.PostAsync("/strata/queues/nowhere/pause", fields);
        unknownQueue.Status.Should().Be(HttpStatusCode.BadRequest);
        TestBrowser.Text(unknownQueue, "[role=alert]").Should().Contain("nowhere");
        var unknownSchedule = await ops.PostAsync("/strata/schedules/ghost/pause", fields);
        unknownSchedule.Status.Should().Be(HttpStatusCode.NotFound);
        TestBrowser.Text(unknownSchedule, "[role=alert]").Should().Contain("'ghost'");
        (await ops.PostAsync("/strata/jobs/nope/cancel", fields)).Status.Should().Be(HttpStatusCode.Conflict);
        (await ops.PostAsync("/strata/queues/default/explode", fields)).Status.Should().Be(HttpStatusCode.NotFound, "no such action route");
        (await ops.GetAsync("/strata/queues/default/pause")).Status.Should().Be(HttpStatusCode.MethodNotAllowed, "actions are POST only");
    }

    [Fact]
    public async Task Under_a_path_base_the_links_carry_it_and_every_response_has_the_headers()
    {
        await using var app = await DashboardTestApp.StartAsync(map: web =>
        {
            web.UsePathBase("/base");
            web.UseRouting();
            web.UseAuthentication();
            web.UseAuthorization();
            web.MapStrataDashboard("/strata", o => o.AuthorizationPolicy = "strata-admin");
        });
        using var ops = app.Browser();
        var page = await ops.OpenAsync("/base/strata/queues");
        page.Headers.GetValues("Content-Security-Policy").Should().ContainSingle();
        page.Document.QuerySelector("link[rel=stylesheet]")!.GetAttribute("href").Should().StartWith("/base/strata/assets/");
        TestBrowser.FindForm(page, "/base/strata/queues/default/pause").Should().NotBeNull();
        using var anonymous = app.Browser(user: null);
        var refused = await anonymous.GetAsync("/base/strata/jobs");
        refused.Status.Should().Be(HttpStatusCode.Unauthorized);
        refused.Headers.GetValues("Content-Security-Policy").Should().ContainSingle();
        (await ops.SubmitAsync(page, "/queues/default/pause")).Headers.Location!.ToString().Should().Be("/base/strata/queues");
    }

    [Fact]
    public async Task A_slim_builder_host_without_Strata_Jobs_serves_the_dashboard()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Services.AddStrataDashboard();
        await using var app = builder.Build();
        app.MapStrataDashboard("/strata", o => o.AllowAnonymousInDevelopment = true);
        await app.StartAsync();
        using var browser = new TestBrowser(app.GetTestClient(), user: null, roles: null);
        var overview = await browser.OpenAsync("/strata");
        overview.Body.Should().Contain("No Strata package is registered");
        (await browser.PostAsync("/strata/queues/default/pause", [])).Status.Should().Be(HttpStatusCode.BadRequest, "the action route exists; the token is missing");
    }

    [Fact]
    public async Task Calling_AddStrataDashboard_twice_puts_the_headers_on_once()
    {
        await using var app = await DashboardTestApp.StartAsync(build: b => b.Services.AddStrataDashboard());
        using var ops = app.Browser();
        var page = await ops.OpenAsync("/strata");
        page.Headers.GetValues("Content-Security-Policy").Should().ContainSingle();
    }
}
