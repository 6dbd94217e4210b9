using System.Diagnostics;
using Strata.Jobs;
using Strata.Jobs.Testing;

namespace Strata.Dashboard.Tests;

/// <summary>The job detail shows what the job was enqueued with: its payload as text and its trace id.</summary>
public sealed class JobDetailPageTests
{
    [Fact]
    public async Task Job_detail_shows_the_payload_as_text_and_the_trace_id_of_the_enqueue()
    {
        await using var app = await DashboardTestApp.StartAsync();
        string id;
        ActivityTraceId traceId;
        using (var activity = new Activity("enqueue-from-a-request").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            traceId = activity.TraceId;
            id = await app.Queue.EnqueueAsync(
                new RecordJob(HostileHandler.Markup),
                new JobOptions { Delay = TimeSpan.FromHours(1), IdempotencyKey = "detail-key" });
        }

        using var ops = app.Browser();
        var page = await ops.OpenAsync($"/strata/jobs/{id}");

        page.Document.QuerySelector("#payload")!.TextContent.Should()
            .Contain("<script>alert(1)</script>", "the payload is shown as the text it holds (its JSON, indented)")
            .And.Contain("<img src=x onerror=alert(1)>");
        page.Document.QuerySelectorAll("script, img, [onerror]").Should().BeEmpty("a payload is data, never markup");
        page.Body.Should().Contain("&lt;script&gt;alert(1)&lt;/script&gt;");
        Definition(page, "Trace id").Should().Be(traceId.ToHexString());
        Definition(page, "Idempotency key").Should().Be("detail-key");
    }

    [Fact]
    public async Task Succeeded_job_on_the_in_memory_store_says_its_payload_is_no_longer_kept()
    {
        await using var app = await DashboardTestApp.StartAsync();
        var id = await app.Queue.EnqueueAsync(new HostileJob(Fail: false));
        await app.WaitForStateAsync(id, JobState.Succeeded);

        using var ops = app.Browser();
        var page = await ops.OpenAsync($"/strata/jobs/{id}");

        page.Document.QuerySelector("#payload").Should().BeNull();
        page.Body.Should().Contain("no longer keeps this job's payload");
        Definition(page, "Trace id").Should().Be("—", "no activity was current when the job was enqueued");
    }

    private static string Definition(TestBrowser.Page page, string term) =>
        page.Document.QuerySelectorAll("dt").Single(dt => dt.TextContent == term).NextElementSibling!.TextContent;
}
