using System.Net;
using System.Text.Json;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

/// <summary>The job admin endpoints the sample mounts at <c>/admin/jobs</c>: for keys with the admin scope only.</summary>
public sealed class AdminJobEndpointTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    [Fact]
    public async Task Admin_finds_a_submitted_job_with_its_owner_and_a_key_without_the_admin_scope_is_refused()
    {
        var writerKey = await factory.CreateKeyAsync(["jobs:write"]);
        using var writer = factory.CreateClient(writerKey);
        using var accepted = await writer.PostTextAsync("/v1/jobs", "Admins can find this job. It is calm and great.");
        accepted.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var id = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        using var anonymous = factory.CreateClient();
        (await anonymous.GetAsync("/admin/jobs")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await writer.GetAsync("/admin/jobs")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "jobs:write is not the admin scope");
        (await writer.PostAsync("/admin/jobs/queues/default/pause", content: null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        using var admin = factory.CreateClient(await factory.CreateKeyAsync(["admin"]));
        using var found = await admin.GetAsync("/admin/jobs?type=analyze-document&limit=100");
        found.StatusCode.Should().Be(HttpStatusCode.OK);
        var jobs = JsonDocument.Parse(await found.Content.ReadAsStringAsync()).RootElement.GetProperty("jobs").EnumerateArray().ToList();
        var job = jobs.Single(j => j.GetProperty("id").GetString() == id);
        job.GetProperty("owner").GetString().Should().NotBeNullOrEmpty("the admin view shows who enqueued a job");

        using var badState = await admin.GetAsync("/admin/jobs?state=sleeping");
        await AnalyzeEndpointTests.ShouldBeProblemAsync(badState, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_nightly_purge_is_scheduled_for_three_and_an_admin_can_trigger_it()
    {
        using var admin = factory.CreateClient(await factory.CreateKeyAsync(["admin"]));

        using var schedule = await admin.GetAsync("/admin/jobs/recurring/nightly-purge");
        schedule.StatusCode.Should().Be(HttpStatusCode.OK);
        var info = JsonDocument.Parse(await schedule.Content.ReadAsStringAsync()).RootElement;
        info.GetProperty("cron").GetString().Should().Be("0 3 * * *");
        var next = info.GetProperty("nextRunAt").GetDateTimeOffset();
        (next.Hour, next.Minute, next.Offset).Should().Be((3, 0, TimeSpan.Zero));

        using var triggered = await admin.PostAsync("/admin/jobs/recurring/nightly-purge/trigger", content: null);
        triggered.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var location = triggered.Headers.Location!.ToString();
        location.Should().StartWith("/admin/jobs/");
        var state = "";
        for (var i = 0; i < 600 && state is not ("Succeeded" or "Dead"); i++)
        {
            await Task.Delay(50);
            using var status = await admin.GetAsync(location);
            state = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement.GetProperty("state").GetString();
        }

        state.Should().Be("Succeeded", "the purge ran through IJobAdmin");
    }
}
