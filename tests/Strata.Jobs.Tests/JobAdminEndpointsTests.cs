using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>The admin endpoints over real HTTP (TestServer) with a real authentication scheme and an "admin" policy.</summary>
public sealed class JobAdminEndpointsTests : IAsyncLifetime
{
    private const string Prefix = JobAdminTestApp.Prefix;
    private JobAdminTestApp _app = null!;

    public async Task InitializeAsync() => _app = await JobAdminTestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "/counts")]
    [InlineData("GET", "/queues")]
    [InlineData("POST", "/requeue")]
    [InlineData("POST", "/delete")]
    [InlineData("DELETE", "")]
    [InlineData("POST", "/queues/default/pause")]
    public async Task Anonymous_gets_401_a_user_without_the_policy_403_and_an_admin_through(string method, string path)
    {
        var verb = new HttpMethod(method);

        using var anonymous = await _app.SendAsync(verb, Prefix + path, user: null);
        using var plainUser = await _app.SendAsync(verb, Prefix + path, user: "eve", roles: "reader");
        using var admin = await _app.SendAsync(verb, Prefix + path);

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        plainUser.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        admin.StatusCode.Should().BeOneOf(HttpStatusCode.OK, HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Without_a_policy_of_the_callers_the_group_still_requires_an_authenticated_user()
    {
        await using var app = await JobAdminTestApp.StartAsync(a => a.MapJobAdminEndpoints("/ops"));

        using var anonymous = await app.SendAsync(HttpMethod.Get, "/ops", user: null);
        using var pause = await app.SendAsync(HttpMethod.Post, "/ops/queues/default/pause", user: null);
        using var signedIn = await app.SendAsync(HttpMethod.Get, "/ops", user: "dave", roles: null);

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        pause.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        signedIn.StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.App.Services.GetRequiredService<IJobAdmin>().GetQueuesAsync()).Should().OnlyContain(q => !q.Paused, "the refused pause changed nothing");
    }

    [Fact]
    public async Task Search_pages_with_the_cursor_newest_first_and_shows_the_owner()
    {
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await _app.Queue.EnqueueAsync(new RecordJob($"page-{i}"), new JobOptions { Owner = "tenant-7" }));
        }

        await _app.Queue.EnqueueAsync(new RecordJob("someone else's"), new JobOptions { Owner = "tenant-8" });

        var seen = new List<JsonElement>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var url = $"{Prefix}?owner=tenant-7&limit=3" + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor));
            var page = await _app.ReadAsync(HttpMethod.Get, url);
            pages++;
            var jobs = page.GetProperty("jobs").EnumerateArray().ToList();
            jobs.Count.Should().BeLessThanOrEqualTo(3);
            seen.AddRange(jobs);
            page.TryGetProperty("nextCursor", out var next).Should().BeTrue("nextCursor is always written, null on the last page");
            cursor = next.ValueKind == JsonValueKind.Null ? null : next.GetString();
        }
        while (cursor is not null && pages < 10);

        pages.Should().Be(3);
        seen.Select(j => j.GetProperty("id").GetString()).Should().BeEquivalentTo(ids).And.OnlyHaveUniqueItems();
        seen.Should().OnlyContain(j => j.GetProperty("owner").GetString() == "tenant-7");
        var order = seen.Select(j => (j.GetProperty("createdAt").GetDateTimeOffset(), j.GetProperty("id").GetString()!)).ToList();
        order.Should().BeInDescendingOrder(Comparer<(DateTimeOffset CreatedAt, string Id)>.Create(
            (a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : string.CompareOrdinal(a.Id, b.Id)));
        seen[0].GetProperty("state").ValueKind.Should().Be(JsonValueKind.String);
    }

    [Fact]
    public async Task Search_filters_by_state_queue_type_and_creation_time()
    {
        var dead = await _app.MakeDeadJobsAsync("filter", 2, queue: "reports");
        var done = await _app.Queue.EnqueueAsync(new RecordJob("done"));
        await _app.WaitForStateAsync(done, JobState.Succeeded);
        var created = (await _app.Store.GetAsync(done))!.CreatedAt;

        var deadOnReports = await _app.ReadAsync(HttpMethod.Get, $"{Prefix}?state=dead&queue=reports&type=FlakyJob");
        var recordJobs = await _app.ReadAsync(HttpMethod.Get, $"{Prefix}?type=RecordJob");
        var before = await _app.ReadAsync(HttpMethod.Get, $"{Prefix}?type=RecordJob&createdBefore={Uri.EscapeDataString(created.ToString("O"))}");
        var sinceInAnOffset = await _app.ReadAsync(HttpMethod.Get, $"{Prefix}?type=RecordJob&createdAfter={Uri.EscapeDataString(created.ToOffset(TimeSpan.FromHours(2)).ToString("O"))}");

        Ids(deadOnReports).Should().BeEquivalentTo(dead);
        deadOnReports.GetProperty("jobs")[0].GetProperty("error").GetString().Should().NotBeNullOrEmpty("a dead job shows its last error");
        Ids(recordJobs).Should().Equal(done);
        Ids(before).Should().BeEmpty("CreatedBefore is exclusive");
        Ids(sinceInAnOffset).Should().Equal([done], "CreatedAfter is inclusive, and a '+' offset written as %2B reads as one");
    }

    [Fact]
    public async Task Bulk_requeue_answers_how_many_it_requeued_and_repeating_it_touches_none()
    {
        var dead = await _app.MakeDeadJobsAsync("bulk", 3);
        var otherQueue = await _app.MakeDeadJobsAsync("other", 1, queue: "reports");

        var first = await _app.ReadAsync(HttpMethod.Post, $"{Prefix}/requeue?queue=default");
        foreach (var id in dead)
        {
            await _app.WaitForStateAsync(id, JobState.Succeeded);
        }

        var again = await _app.ReadAsync(HttpMethod.Post, $"{Prefix}/requeue?queue=default&state=Dead");
        var rest = await _app.ReadAsync(HttpMethod.Post, $"{Prefix}/requeue");

        first.GetProperty("count").GetInt64().Should().Be(3);
        again.GetProperty("count").GetInt64().Should().Be(0);
        rest.GetProperty("count").GetInt64().Should().Be(1);
        await _app.WaitForStateAsync(otherQueue[0], JobState.Succeeded);
    }

    [Fact]
    public async Task One_dead_job_is_requeued_by_id_and_a_succeeded_one_is_a_409()
    {
        var id = (await _app.MakeDeadJobsAsync("single", 1))[0];

        var requeued = await _app.ReadAsync(HttpMethod.Post, $"{Prefix}/{id}/requeue");
        await _app.WaitForStateAsync(id, JobState.Succeeded);
        var detail = await _app.ReadProblemAsync(HttpMethod.Post, $"{Prefix}/{id}/requeue", 409);

        requeued.GetProperty("id").GetString().Should().Be(id);
        requeued.GetProperty("owner").GetString().Should().Be("tenant-single");
        requeued.GetProperty("state").GetString().Should().NotBe("Dead");
        detail.Should().Contain("Succeeded").And.Contain("dead");
    }

    [Fact]
    public async Task Get_shows_one_job_and_delete_forgets_a_finished_one()
    {
        var id = await _app.Queue.EnqueueAsync(new RecordJob("forget me"), new JobOptions { Owner = "tenant-9" });
        await _app.WaitForStateAsync(id, JobState.Succeeded);

        var job = await _app.ReadAsync(HttpMethod.Get, $"{Prefix}/{Uri.EscapeDataString(id)}");
        using var delete = await _app.SendAsync(HttpMethod.Delete, $"{Prefix}/{id}");
        var detail = await _app.ReadProblemAsync(HttpMethod.Get, $"{Prefix}/{id}", 404);

        job.GetProperty("owner").GetString().Should().Be("tenant-9");
        job.GetProperty("state").GetString().Should().Be("Succeeded");
        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        detail.Should().Contain(id);
        (await _app.Store.GetAsync(id)).Should().BeNull();
    }

    [Fact]
    public async Task Bulk_delete_by_POST_or_DELETE_answers_how_many_finished_jobs_it_forgot()
    {
        var done = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            done.Add(await _app.Queue.EnqueueAsync(new RecordJob($"purge-{i}")));
        }

        foreach (var id in done)
        {
            await _app.WaitForStateAsync(id, JobState.Succeeded);
        }

        await _app.MakeDeadJobsAsync("kept", 1);

        var purged = await _app.ReadAsync(HttpMethod.Post, $"{Prefix}/delete?state=Succeeded&type=RecordJob");
        var again = await _app.ReadAsync(HttpMethod.Delete, $"{Prefix}?state=succeeded");
        var dead = await _app.ReadAsync(HttpMethod.Delete, $"{Prefix}?state=Dead");

        purged.GetProperty("count").GetInt64().Should().Be(4);
        again.GetProperty("count").GetInt64().Should().Be(0);
        dead.GetProperty("count").GetInt64().Should().Be(1);
        foreach (var id in done)
        {
            (await _app.Store.GetAsync(id)).Should().BeNull();
        }
    }

    [Fact]
    public async Task Pause_and_resume_answer_204_and_show_in_the_queues()
    {
        using var pause = await _app.SendAsync(HttpMethod.Post, $"{Prefix}/queues/reports/pause");
        var paused = await _app.ReadAsync(HttpMethod.Get, $"{Prefix}/queues");
        using var resume = await _app.SendAsync(HttpMethod.Post, $"{Prefix}/queues/reports/resume");
        var resumed = await _app.ReadAsync(HttpMethod.Get, $"{Prefix}/queues");

        pause.StatusCode.Should().Be(HttpStatusCode.NoContent);
        resume.StatusCode.Should().Be(HttpStatusCode.NoContent);
        Paused(paused).Should().Equal(("default", false), ("reports", true));
        Paused(resumed).Should().Equal(("default", false), ("reports", false));
        paused[1].GetProperty("counts").GetProperty("Queued").GetInt64().Should().Be(0);
        paused[1].GetProperty("counts").EnumerateObject().Should().HaveCount(Enum.GetValues<JobState>().Length);
    }

    [Fact]
    public async Task Counts_list_every_queue_and_state_with_state_names()
    {
        await _app.MakeDeadJobsAsync("count", 2);

        var counts = await _app.ReadAsync(HttpMethod.Get, $"{Prefix}/counts");

        counts.GetArrayLength().Should().Be(2 * Enum.GetValues<JobState>().Length);
        counts.EnumerateArray().Single(c => c.GetProperty("queue").GetString() == "default" && c.GetProperty("state").GetString() == "Dead")
            .GetProperty("count").GetInt64().Should().Be(2);
    }

    [Fact]
    public void Every_admin_endpoint_is_named_summarized_and_lists_its_status_codes_for_OpenAPI()
    {
        var endpoints = _app.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith(Prefix, StringComparison.Ordinal))
            .ToList();

        endpoints.Should().HaveCount(17, "eleven job and queue routes, six recurring-job routes");
        foreach (var endpoint in endpoints)
        {
            endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName.Should().StartWith("StrataJobs.Admin.");
            endpoint.Metadata.GetMetadata<IEndpointSummaryMetadata>()!.Summary.Should().NotBeNullOrEmpty();
            endpoint.Metadata.GetMetadata<ITagsMetadata>()!.Tags.Should().Contain("Job administration");
            var codes = endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToList();
            codes.Should().Contain([401, 403, 503]).And.Contain(c => c == 200 || c == 202 || c == 204);
        }

        var search = endpoints.Single(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName == "StrataJobs.Admin.Search");
        search.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Should()
            .Contain(m => m.StatusCode == 200 && m.Type == typeof(AdminJobPage))
            .And.Contain(m => m.StatusCode == 400);
    }

    private static List<string?> Ids(JsonElement page) =>
        page.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()).ToList();

    private static List<(string?, bool)> Paused(JsonElement queues) =>
        queues.EnumerateArray().Select(q => (q.GetProperty("name").GetString(), q.GetProperty("paused").GetBoolean())).ToList();
}
