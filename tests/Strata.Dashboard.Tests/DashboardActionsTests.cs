using System.Net;
using Strata.Jobs;
using Strata.Jobs.Testing;

namespace Strata.Dashboard.Tests;

/// <summary>Every action, submitted as the page's own form, changes the backend; without a valid token nothing does.</summary>
public sealed class DashboardActionsTests
{
    [Fact]
    public async Task Pause_then_resume_a_queue_from_the_queues_page()
    {
        await using var app = await DashboardTestApp.StartAsync();
        using var ops = app.Browser();
        var queues = await ops.OpenAsync("/strata/queues");

        var paused = await ops.SubmitAsync(queues, "/queues/reports/pause");
        paused.Status.Should().Be(HttpStatusCode.SeeOther);
        paused.Headers.Location!.ToString().Should().Be("/strata/queues");
        (await app.Admin.GetQueuesAsync()).Single(q => q.Name == "reports").Paused.Should().BeTrue();
        (await app.Admin.GetQueuesAsync()).Single(q => q.Name == "default").Paused.Should().BeFalse();

        queues = await ops.OpenAsync("/strata/queues");
        (await ops.SubmitAsync(queues, "/queues/reports/resume")).Status.Should().Be(HttpStatusCode.SeeOther);
        (await app.Admin.GetQueuesAsync()).Single(q => q.Name == "reports").Paused.Should().BeFalse();
    }

    [Fact]
    public async Task Requeue_a_dead_job_from_its_page_runs_it_again_and_it_succeeds()
    {
        await using var app = await DashboardTestApp.StartAsync();
        var id = (await app.MakeDeadJobsAsync("requeue", 1))[0];
        using var ops = app.Browser();
        var detail = await ops.OpenAsync($"/strata/jobs/{id}");

        var requeued = await ops.SubmitAsync(detail, "/requeue");
        requeued.Status.Should().Be(HttpStatusCode.SeeOther);
        requeued.Headers.Location!.ToString().Should().Be($"/strata/jobs/{id}");
        await app.WaitForStateAsync(id, JobState.Succeeded);   // FlakyJob fails once, so its second run succeeds
    }

    [Fact]
    public async Task Delete_a_finished_job_and_cancel_a_waiting_one()
    {
        await using var app = await DashboardTestApp.StartAsync();
        var dead = (await app.MakeDeadJobsAsync("delete", 1))[0];
        var later = await app.Queue.EnqueueAsync(new RecordJob("later"), new JobOptions { Delay = TimeSpan.FromHours(1) });
        using var ops = app.Browser();

        var deleted = await ops.SubmitAsync(await ops.OpenAsync($"/strata/jobs/{dead}"), "/delete");
        deleted.Status.Should().Be(HttpStatusCode.SeeOther);
        deleted.Headers.Location!.ToString().Should().Be("/strata/jobs");
        (await app.Store.GetAsync(dead)).Should().BeNull();

        (await ops.SubmitAsync(await ops.OpenAsync($"/strata/jobs/{later}"), "/cancel")).Status.Should().Be(HttpStatusCode.SeeOther);
        (await app.Store.GetAsync(later))!.State.Should().Be(JobState.Cancelled);
    }

    [Fact]
    public async Task An_action_the_state_no_longer_allows_gets_a_409_page()
    {
        await using var app = await DashboardTestApp.StartAsync();
        var id = (await app.MakeDeadJobsAsync("stale", 1))[0];
        using var ops = app.Browser();
        var detail = await ops.OpenAsync($"/strata/jobs/{id}");
        (await app.Queue.RequeueAsync(id)).Should().BeTrue("someone else requeued it meanwhile");
        await app.WaitForStateAsync(id, JobState.Succeeded);

        var stale = await ops.SubmitAsync(detail, "/requeue");
        stale.Status.Should().Be(HttpStatusCode.Conflict);
        TestBrowser.Text(stale, "[role=alert]").Should().Contain("could not be requeued");
    }

    [Fact]
    public async Task Trigger_a_schedule_makes_a_job_and_pause_and_resume_flip_it()
    {
        await using var app = await DashboardTestApp.StartAsync();
        using var ops = app.Browser();
        var schedules = await ops.OpenAsync("/strata/schedules");

        var triggered = await ops.SubmitAsync(schedules, "/schedules/nightly/trigger");
        triggered.Status.Should().Be(HttpStatusCode.SeeOther);
        var jobPath = triggered.Headers.Location!.ToString();
        jobPath.Should().StartWith("/strata/jobs/");
        var job = await app.Store.GetAsync(Uri.UnescapeDataString(jobPath["/strata/jobs/".Length..]));
        job.Should().NotBeNull("triggering enqueues the schedule's job now");
        job!.JobType.Should().Be((await app.Recurring.GetAsync("nightly"))!.JobType);
        (await ops.OpenAsync(jobPath)).Document.QuerySelector("h1")!.TextContent.Should().Be("Job " + job.Id);

        await ops.SubmitAsync(schedules, "/schedules/nightly/pause");
        (await app.Recurring.GetAsync("nightly"))!.Paused.Should().BeTrue();
        schedules = await ops.OpenAsync("/strata/schedules");
        await ops.SubmitAsync(schedules, "/schedules/nightly/resume");
        (await app.Recurring.GetAsync("nightly"))!.Paused.Should().BeFalse();

        (await ops.PostAsync("/strata/schedules/ghost/trigger", TokenOf(schedules))).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bulk_requeue_shows_the_count_it_will_touch_then_requeues_exactly_those()
    {
        await using var app = await DashboardTestApp.StartAsync();
        var reports = await app.MakeDeadJobsAsync("bulk", 3, queue: "reports");
        var other = await app.MakeDeadJobsAsync("keep", 2, queue: "default");
        using var ops = app.Browser();

        var list = await ops.OpenAsync("/strata/dead?queue=reports");
        var confirmLink = list.Document.QuerySelectorAll("a").Single(a => a.TextContent.StartsWith("Requeue every", StringComparison.Ordinal)).GetAttribute("href")!;
        var confirm = await ops.OpenAsync(confirmLink);
        TestBrowser.Text(confirm, "#count").Should().Be("3");
        (await app.Store.GetAsync(reports[0]))!.State.Should().Be(JobState.Dead, "the confirmation page does nothing");

        var done = await ops.SubmitAsync(confirm, "/dead/requeue");
        done.Status.Should().Be(HttpStatusCode.OK);
        TestBrowser.Text(done, "#count").Should().Be("3");
        foreach (var id in reports)
        {
            await app.WaitForStateAsync(id, JobState.Succeeded);
        }

        foreach (var id in other)
        {
            (await app.Store.GetAsync(id))!.State.Should().Be(JobState.Dead, "another queue's dead jobs are not touched");
        }
    }

    [Fact]
    public async Task Bulk_delete_by_owner_counts_with_a_search_walk_and_deletes_only_those()
    {
        await using var app = await DashboardTestApp.StartAsync();
        var gone = await app.MakeDeadJobsAsync("gone", 2);
        var kept = await app.MakeDeadJobsAsync("kept", 1);
        using var ops = app.Browser();

        var confirm = await ops.OpenAsync("/strata/dead/confirm?action=delete&owner=tenant-gone");
        TestBrowser.Text(confirm, "#count").Should().Be("2");
        var done = await ops.SubmitAsync(confirm, "/dead/delete");
        TestBrowser.Text(done, "#count").Should().Be("2");
        foreach (var id in gone)
        {
            (await app.Store.GetAsync(id)).Should().BeNull();
        }

        (await app.Store.GetAsync(kept[0]))!.State.Should().Be(JobState.Dead);
        var none = await ops.OpenAsync("/strata/dead/confirm?action=delete&owner=tenant-gone");
        TestBrowser.Text(none, "#count").Should().Be("0");
        TestBrowser.FindForm(none, "/dead/delete").Should().BeNull("nothing to confirm");
    }

    [Fact]
    public async Task A_post_without_or_with_a_wrong_antiforgery_token_answers_400_and_does_nothing()
    {
        await using var app = await DashboardTestApp.StartAsync();
        var dead = (await app.MakeDeadJobsAsync("csrf", 1))[0];
        using var ops = app.Browser();
        var queues = await ops.OpenAsync("/strata/queues");   // the browser holds a valid antiforgery cookie from here on

        var without = await ops.SubmitAsync(queues, "/queues/default/pause", f => f.Remove("__RequestVerificationToken"));
        without.Status.Should().Be(HttpStatusCode.BadRequest);
        TestBrowser.Text(without, "[role=alert]").Should().Contain("antiforgery token");
        var wrong = await ops.SubmitAsync(queues, "/queues/default/pause", f => f["__RequestVerificationToken"] = "CfDJ8forged");
        wrong.Status.Should().Be(HttpStatusCode.BadRequest);
        using var stranger = app.Browser(user: "other-ops");   // a valid token, but another user's
        var stolen = await stranger.PostAsync("/strata/queues/default/pause", TokenOf(queues));
        stolen.Status.Should().Be(HttpStatusCode.BadRequest);
        (await app.Admin.GetQueuesAsync()).Single(q => q.Name == "default").Paused.Should().BeFalse("nothing happened");

        (await ops.PostAsync($"/strata/jobs/{dead}/delete", [])).Status.Should().Be(HttpStatusCode.BadRequest);
        (await ops.PostAsync("/strata/dead/delete", [])).Status.Should().Be(HttpStatusCode.BadRequest);
        (await app.Store.GetAsync(dead))!.State.Should().Be(JobState.Dead, "nothing happened");

        (await ops.SubmitAsync(queues, "/queues/default/pause")).Status.Should().Be(HttpStatusCode.SeeOther, "the page's own form still works");
    }

    [Fact]
    public async Task Read_only_mode_shows_the_pages_without_buttons_and_refuses_every_action_with_403()
    {
        await using var app = await DashboardTestApp.StartAsync(o => { o.AuthorizationPolicy = "strata-admin"; o.ReadOnly = true; });
        var dead = (await app.MakeDeadJobsAsync("ro", 1))[0];
        using var ops = app.Browser();
        foreach (var url in new[] { "/strata/queues", "/strata/jobs", $"/strata/jobs/{dead}", "/strata/dead", "/strata/schedules", "/strata/dead/confirm?action=requeue" })
        {
            var page = await ops.OpenAsync(url);
            page.Document.QuerySelectorAll("form[method=post]").Should().BeEmpty(url);
            page.Document.QuerySelectorAll("button").Where(b => b.Closest("form")?.GetAttribute("method") != "get").Should().BeEmpty(url);
            page.Body.Should().Contain("Read-only");
        }

        foreach (var url in new[] { "/strata/queues/default/pause", $"/strata/jobs/{dead}/requeue", $"/strata/jobs/{dead}/delete", "/strata/dead/requeue", "/strata/schedules/nightly/trigger" })
        {
            var refused = await ops.PostAsync(url, []);
            refused.Status.Should().Be(HttpStatusCode.Forbidden, url);
            TestBrowser.Text(refused, "[role=alert]").Should().Contain("read-only");
        }

        (await app.Admin.GetQueuesAsync()).Single(q => q.Name == "default").Paused.Should().BeFalse();
        (await app.Store.GetAsync(dead))!.State.Should().Be(JobState.Dead);
        (await app.Recurring.GetAsync("nightly"))!.LastJobId.Should().BeNull();
    }

    private static Dictionary<string, string> TokenOf(TestBrowser.Page page)
    {
        var input = page.Document.QuerySelector("input[name=__RequestVerificationToken]")!;
        return new() { ["__RequestVerificationToken"] = input.GetAttribute("value")! };
    }
}
