using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Strata.Dashboard.Tests;

/// <summary>No route answers without the host's policy; the only opt-out is loud and for Development only.</summary>
public sealed class DashboardGuardTests
{
    [Theory]
    [InlineData("/strata")]
    [InlineData("/strata/queues")]
    [InlineData("/strata/jobs")]
    [InlineData("/strata/dead")]
    [InlineData("/strata/schedules")]
    public async Task Anonymous_request_gets_401_and_a_user_without_the_policy_gets_403(string url)
    {
        await using var app = await DashboardTestApp.StartAsync();
        using var anonymous = app.Browser(user: null);
        (await anonymous.GetAsync(url)).Status.Should().Be(HttpStatusCode.Unauthorized);
        using var outsider = app.Browser(roles: "reader");
        (await outsider.GetAsync(url)).Status.Should().Be(HttpStatusCode.Forbidden);
        using var ops = app.Browser();
        (await ops.GetAsync(url)).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Anonymous_post_gets_401_and_does_not_pause_the_queue()
    {
        await using var app = await DashboardTestApp.StartAsync();
        using var anonymous = app.Browser(user: null);
        (await anonymous.PostAsync("/strata/queues/default/pause", [])).Status.Should().Be(HttpStatusCode.Unauthorized);
        (await app.Admin.GetQueuesAsync()).Single(q => q.Name == "default").Paused.Should().BeFalse();
    }

    [Fact]
    public async Task Mapping_without_a_policy_throws_naming_the_option_and_the_opt_out()
    {
        var act = () => DashboardTestApp.StartAsync(configure: _ => { });
        var thrown = await act.Should().ThrowAsync<InvalidOperationException>();
        thrown.Which.Message.Should().Contain("AuthorizationPolicy").And.Contain("AllowAnonymousInDevelopment");
    }

    [Fact]
    public async Task Mapping_without_AddStrataDashboard_throws_naming_the_call()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthorization();
        await using var app = builder.Build();
        var act = () => app.MapStrataDashboard("/strata", o => o.AuthorizationPolicy = "strata-admin");
        act.Should().Throw<InvalidOperationException>().WithMessage("*AddStrataDashboard()*");
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task Anonymous_opt_out_throws_outside_Development(string environment)
    {
        var act = () => DashboardTestApp.StartAsync(o => o.AllowAnonymousInDevelopment = true, environment: environment);
        var thrown = await act.Should().ThrowAsync<InvalidOperationException>();
        thrown.Which.Message.Should().Contain(environment).And.Contain("AllowAnonymousInDevelopment");
    }

    [Fact]
    public async Task Anonymous_opt_out_in_Development_serves_without_a_user_and_logs_a_warning_at_start()
    {
        await using var app = await DashboardTestApp.StartAsync(
            o => o.AllowAnonymousInDevelopment = true, environment: "Development");
        var warning = app.App.Services.GetFakeLogCollector().GetSnapshot()
            .Should().ContainSingle(r => r.Category == "Strata.Dashboard").Which;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().ContainEquivalentOf("the Strata dashboard at /strata answers without authorization");
        using var anonymous = app.Browser(user: null);
        (await anonymous.GetAsync("/strata/queues")).Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_named_policy_wins_over_the_opt_out_and_logs_nothing()
    {
        await using var app = await DashboardTestApp.StartAsync(
            o => { o.AuthorizationPolicy = "strata-admin"; o.AllowAnonymousInDevelopment = true; }, environment: "Development");
        app.App.Services.GetFakeLogCollector().GetSnapshot().Should().NotContain(r => r.Category == "Strata.Dashboard");
        using var anonymous = app.Browser(user: null);
        (await anonymous.GetAsync("/strata")).Status.Should().Be(HttpStatusCode.Unauthorized);
    }
}
