using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>Every error of the admin endpoints is a ProblemDetails that says what was wrong: 400, 404 or 409, never a 500.</summary>
public sealed class JobAdminEndpointErrorsTests : IAsyncLifetime
{
    private const string Prefix = JobAdminTestApp.Prefix;
    private JobAdminTestApp _app = null!;

    public async Task InitializeAsync() => _app = await JobAdminTestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("?state=Sleeping", "'state'")]
    [InlineData("?state=5", "'state'")]
    [InlineData("?createdAfter=yesterday", "'createdAfter'")]
    [InlineData("?createdBefore=2026-13-45", "'createdBefore'")]
    [InlineData("?finishedBefore=soon", "'finishedBefore'")]
    [InlineData("?createdAfter=2026-12-07T18:00:00+01:00", "%2B")]
    [InlineData("?limit=0", "'limit'")]
    [InlineData("?limit=1001", "'limit'")]
    [InlineData("?limit=ten", "'limit'")]
    [InlineData("?cursor=not-a-cursor", "cursor")]
    [InlineData("?queue=emails", "default, reports")]
    [InlineData("?createdAfter=2026-12-07T10:00:00Z&createdBefore=2026-12-07T09:00:00Z", "CreatedBefore")]
    public async Task Bad_search_parameter_is_400_problem_details_naming_it(string query, string named)
    {
        var detail = await _app.ReadProblemAsync(HttpMethod.Get, Prefix + query, 400);

        detail.Should().Contain(named);
    }

    [Theory]
    [InlineData("POST", "/requeue?state=Queued", "Dead")]
    [InlineData("POST", "/requeue?state=Cancelled", "Dead")]
    [InlineData("POST", "/requeue?queue=emails", "default, reports")]
    [InlineData("POST", "/requeue?createdAfter=noon", "'createdAfter'")]
    [InlineData("POST", "/delete?state=Running", "finished")]
    [InlineData("DELETE", "?state=Queued", "finished")]
    [InlineData("DELETE", "?state=nope", "'state'")]
    public async Task Bad_bulk_filter_is_400_problem_details_and_touches_nothing(string method, string path, string named)
    {
        var dead = await _app.MakeDeadJobsAsync("untouched", 1);

        var detail = await _app.ReadProblemAsync(new HttpMethod(method), Prefix + path, 400);

        detail.Should().Contain(named);
        (await _app.Store.GetAsync(dead[0]))!.State.Should().Be(JobState.Dead);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("POST", "/requeue")]
    [InlineData("DELETE", "")]
    public async Task Unknown_job_is_404_problem_details(string method, string suffix)
    {
        var detail = await _app.ReadProblemAsync(new HttpMethod(method), $"{Prefix}/default.0123456789abcdef0123456789abcdef{suffix}", 404);

        detail.Should().Contain("default.0123456789abcdef0123456789abcdef");
    }

    [Theory]
    [InlineData("pause")]
    [InlineData("resume")]
    public async Task Unknown_queue_is_404_problem_details_naming_the_configured_ones(string action)
    {
        var detail = await _app.ReadProblemAsync(HttpMethod.Post, $"{Prefix}/queues/emails/{action}", 404);

        detail.Should().Contain("'emails'").And.Contain("default, reports");
    }

    [Fact]
    public async Task Deleting_or_requeueing_a_running_job_is_409_problem_details_and_leaves_it_running()
    {
        var id = await _app.Queue.EnqueueAsync(new BlockingJob("busy"));
        await _app.Probe.WaitStartedAsync("busy");

        var delete = await _app.ReadProblemAsync(HttpMethod.Delete, $"{Prefix}/{id}", 409);
        var requeue = await _app.ReadProblemAsync(HttpMethod.Post, $"{Prefix}/{id}/requeue", 409);

        delete.Should().Contain("Running").And.Contain("finished");
        requeue.Should().Contain("Running").And.Contain("dead");
        (await _app.Store.GetAsync(id))!.State.Should().Be(JobState.Running);
        await _app.Queue.CancelAsync(id);
    }

    [Fact]
    public async Task Store_that_cannot_be_reached_is_503_problem_details_with_Retry_After_never_500()
    {
        GaugeTestBackend control = null!;
        await using var app = await JobAdminTestApp.StartAsync(jobs: j => j.UseBackend(services =>
        {
            var (backend, c) = GaugeTestBackend.Wrap(ActivatorUtilities.CreateInstance<InMemoryJobBackend>(services));
            control = c;
            return backend;
        }));
        control.Unreachable = true;

        using var response = await app.SendAsync(HttpMethod.Get, Prefix + "/counts");
        var detail = await app.ReadProblemAsync(HttpMethod.Get, Prefix + "/queues", 503);

        response.StatusCode.Should().Be(System.Net.HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter!.Delta.Should().BePositive();
        detail.Should().Contain("unavailable");
    }

    [Fact]
    public async Task Mapping_the_admin_endpoints_without_AddStrataJobs_fails_at_start_up_naming_the_call()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        await using var app = builder.Build();

        var map = () => app.MapJobAdminEndpoints("/admin/jobs");

        map.Should().Throw<InvalidOperationException>().WithMessage("*AddStrataJobs()*before MapJobAdminEndpoints()*");
    }
}
