using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>The recurring-job admin routes over real HTTP (TestServer), mounted on the admin endpoints' group, as MapJobAdminEndpoints mounts them.</summary>
public sealed class RecurringRoutesTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(RecurringTestHost.Start);
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddSingleton(new JobProbe());
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthorization();
        builder.Services.AddStrataJobs(o => o.RunWorkers = false)
            .AddHandler<RecordJob, RecordHandler>()
            .AddRecurring("nightly", "0 3 * * *", new RecordJob("n"));
        _app = builder.Build();

        // A stand-in for authentication: every caller is an authenticated admin (the admin group requires authorization).
        _app.Use((context, next) =>
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "admin")], "test"));
            return next(context);
        });
        _app.UseAuthorization();
        _app.MapJobAdminEndpoints("/admin/jobs");
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task List_and_get_show_the_schedule_with_its_next_run()
    {
        var list = await _client.GetFromJsonAsync<JsonElement>("/admin/jobs/recurring");
        using var one = await _client.GetAsync("/admin/jobs/recurring/nightly");

        list.GetArrayLength().Should().Be(1);
        list[0].GetProperty("name").GetString().Should().Be("nightly");
        list[0].GetProperty("cron").GetString().Should().Be("0 3 * * *");
        list[0].GetProperty("misfire").GetString().Should().Be("FireOnce");
        list[0].GetProperty("nextRunAt").GetDateTimeOffset().Should().Be(RecurringTestHost.Start.AddHours(3));
        one.StatusCode.Should().Be(HttpStatusCode.OK);
        (await one.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobType").GetString().Should().Be(nameof(RecordJob));
    }

    [Theory]
    [InlineData("GET", "/admin/jobs/recurring/missing")]
    [InlineData("POST", "/admin/jobs/recurring/missing/pause")]
    [InlineData("POST", "/admin/jobs/recurring/missing/resume")]
    [InlineData("POST", "/admin/jobs/recurring/missing/trigger")]
    [InlineData("DELETE", "/admin/jobs/recurring/missing")]
    [InlineData("GET", "/admin/jobs/recurring/not%20valid")]
    public async Task Unknown_name_gets_404_ProblemDetails(string method, string path)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("title").GetString().Should().Be("Recurring job not found");
        problem.GetProperty("detail").GetString().Should().StartWith("No recurring job is named '");
    }

    [Fact]
    public async Task Pause_and_resume_answer_the_schedule_as_it_is_now()
    {
        using var pause = await _client.PostAsync("/admin/jobs/recurring/nightly/pause", null);
        var paused = await pause.Content.ReadFromJsonAsync<JsonElement>();
        _time.Advance(TimeSpan.FromHours(5));
        using var resume = await _client.PostAsync("/admin/jobs/recurring/nightly/resume", null);
        var resumed = await resume.Content.ReadFromJsonAsync<JsonElement>();

        pause.StatusCode.Should().Be(HttpStatusCode.OK);
        paused.GetProperty("paused").GetBoolean().Should().BeTrue();
        paused.TryGetProperty("nextRunAt", out _).Should().BeFalse("a paused schedule has no next run");
        resume.StatusCode.Should().Be(HttpStatusCode.OK);
        resumed.GetProperty("paused").GetBoolean().Should().BeFalse();
        resumed.GetProperty("nextRunAt").GetDateTimeOffset().Should().Be(RecurringTestHost.Start.AddDays(1).AddHours(3));
    }

    [Fact]
    public async Task Trigger_answers_202_with_the_job_and_a_Location_beside_the_recurring_routes()
    {
        using var trigger = await _client.PostAsync("/admin/jobs/recurring/nightly/trigger", null);

        trigger.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var job = await trigger.Content.ReadFromJsonAsync<JsonElement>();
        var id = job.GetProperty("id").GetString()!;
        job.GetProperty("jobType").GetString().Should().Be(nameof(RecordJob));
        trigger.Headers.Location!.OriginalString.Should().Be($"/admin/jobs/{Uri.EscapeDataString(id)}", "the job's status is the admin group's GET {id}");
        var status = await _client.GetFromJsonAsync<JsonElement>(trigger.Headers.Location);
        status.GetProperty("id").GetString().Should().Be(id);
        var info = await _client.GetFromJsonAsync<JsonElement>("/admin/jobs/recurring/nightly");
        info.GetProperty("lastJobId").GetString().Should().Be(id);
        (await _app.Services.GetRequiredService<IJobStore>().GetAsync(id))!.State.Should().Be(JobState.Queued);
    }

    [Fact]
    public async Task Trigger_of_a_schedule_on_a_queue_this_host_lacks_answers_409_naming_the_queue()
    {
        // Written as another host, that configures the queue, would write it.
        var nightly = (await _app.Services.GetRequiredService<Backends.IJobBackend>().GetSchedulesAsync(CancellationToken.None)).Single();
        var elsewhere = nightly.Data.Replace("\"queue\":\"default\"", "\"queue\":\"reports\"", StringComparison.Ordinal);
        elsewhere.Should().NotBe(nightly.Data);
        await _app.Services.GetRequiredService<Backends.IJobBackend>().SaveScheduleAsync("elsewhere", elsewhere, 0, CancellationToken.None);

        using var trigger = await _client.PostAsync("/admin/jobs/recurring/elsewhere/trigger", null);

        trigger.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await trigger.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Contain("Queue 'reports' is not configured");
    }

    [Fact]
    public async Task Delete_answers_204_then_404()
    {
        using var delete = await _client.DeleteAsync("/admin/jobs/recurring/nightly");
        using var again = await _client.DeleteAsync("/admin/jobs/recurring/nightly");
        var list = await _client.GetFromJsonAsync<JsonElement>("/admin/jobs/recurring");

        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        again.StatusCode.Should().Be(HttpStatusCode.NotFound);
        list.GetArrayLength().Should().Be(0);
    }

    [Fact]
    public void Every_route_is_named_and_describes_its_responses_for_OpenAPI()
    {
        var endpoints = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.Contains("recurring", StringComparison.Ordinal))
            .ToDictionary(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName["StrataJobs.Admin.".Length..]);

        endpoints.Keys.Should().BeEquivalentTo("ListRecurringJobs", "GetRecurringJob", "PauseRecurringJob", "ResumeRecurringJob", "TriggerRecurringJob", "RemoveRecurringJob");
        Statuses(endpoints["ListRecurringJobs"]).Should().BeEquivalentTo([200, 401, 403, 503]);
        Statuses(endpoints["TriggerRecurringJob"]).Should().BeEquivalentTo([202, 401, 403, 404, 409, 503]);
        Statuses(endpoints["RemoveRecurringJob"]).Should().BeEquivalentTo([204, 401, 403, 404, 503]);
        endpoints["GetRecurringJob"].Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>()
            .Should().Contain(m => m.StatusCode == 200 && m.Type == typeof(RecurringJobInfo));
        endpoints["TriggerRecurringJob"].Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>()
            .Should().Contain(m => m.StatusCode == 202 && m.Type == typeof(JobInfo));
        endpoints.Values.Should().OnlyContain(e => e.Metadata.GetMetadata<IEndpointSummaryMetadata>() != null && e.Metadata.GetMetadata<IEndpointDescriptionMetadata>() != null);

        static IEnumerable<int> Statuses(Endpoint endpoint) =>
            endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).Distinct();
    }
}
