using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Strata.Sample.Api.Endpoints;
using Strata.Sample.Api.Tests.Infrastructure;
using Strata.Sample.Data;

namespace Strata.Sample.Api.Tests;

public sealed class JobEndpointTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    private const string Text = "The workers never lose a job. Retries are calm and the results are great.";

    [Fact]
    public async Task Job_is_accepted_with_a_location_and_polled_to_succeeded_with_the_stored_analysis()
    {
        var key = await factory.CreateKeyAsync(["jobs:write"]);
        using var client = factory.CreateClient(key);

        using var accepted = await client.PostTextAsync("/v1/jobs", Text);

        accepted.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var location = accepted.Headers.Location!.ToString();
        location.Should().StartWith("/v1/jobs/");
        var submitted = await accepted.Content.ReadFromJsonAsync<JobStatus>();
        location.Should().Be($"/v1/jobs/{submitted!.Id}");

        var done = await PollUntilFinishedAsync(client, location);
        done.State.Should().Be("succeeded");
        done.Progress.Should().Be(100);
        done.Attempt.Should().Be(1);
        done.Redeliveries.Should().Be(0);
        done.Result!.TokenCount.Should().BeGreaterThan(5);
        done.Result.Summary.Should().NotBeNullOrWhiteSpace();

        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        var stored = await db.Analyses.SingleAsync(a => a.JobId == submitted.Id);
        stored.Id.Should().Be(done.Result.AnalysisId);
    }

    [Fact]
    public async Task Another_key_gets_404_for_the_job_and_cannot_cancel_it()
    {
        var owner = await factory.CreateKeyAsync(["jobs:write"]);
        var other = await factory.CreateKeyAsync(["jobs:write"]);
        using var ownerClient = factory.CreateClient(owner);
        using var otherClient = factory.CreateClient(other);
        using var accepted = await ownerClient.PostTextAsync("/v1/jobs", Text);
        var location = accepted.Headers.Location!.ToString();

        using var read = await otherClient.GetAsync(location);
        using var cancel = await otherClient.DeleteAsync(location);

        await AnalyzeEndpointTests.ShouldBeProblemAsync(read, HttpStatusCode.NotFound);
        await AnalyzeEndpointTests.ShouldBeProblemAsync(cancel, HttpStatusCode.NotFound);
        using var mine = await ownerClient.GetAsync(location);
        mine.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/v1/jobs/default.00000000000000000000000000000000")]
    [InlineData("/v1/jobs/not-a-job-id")]
    public async Task Unknown_job_id_gets_404_for_read_and_cancel(string path)
    {
        var key = await factory.CreateKeyAsync(["jobs:write"]);
        using var client = factory.CreateClient(key);

        using var read = await client.GetAsync(path);
        using var cancel = await client.DeleteAsync(path);

        await AnalyzeEndpointTests.ShouldBeProblemAsync(read, HttpStatusCode.NotFound);
        await AnalyzeEndpointTests.ShouldBeProblemAsync(cancel, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Cancelling_a_finished_job_gets_409()
    {
        var key = await factory.CreateKeyAsync(["jobs:write"]);
        using var client = factory.CreateClient(key);
        using var accepted = await client.PostTextAsync("/v1/jobs", Text);
        var location = accepted.Headers.Location!.ToString();
        (await PollUntilFinishedAsync(client, location)).State.Should().Be("succeeded");

        using var cancel = await client.DeleteAsync(location);

        await AnalyzeEndpointTests.ShouldBeProblemAsync(cancel, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_job_for_one_key_only()
    {
        var key = await factory.CreateKeyAsync(["jobs:write"]);
        var other = await factory.CreateKeyAsync(["jobs:write"]);

        var first = await SubmitWithIdempotencyKeyAsync(key, "doc-1");
        var again = await SubmitWithIdempotencyKeyAsync(key, "doc-1");
        var otherKeys = await SubmitWithIdempotencyKeyAsync(other, "doc-1");

        again.Should().Be(first);
        otherKeys.Should().NotBe(first);
    }

    [Fact]
    public async Task Jobs_need_the_jobs_write_scope()
    {
        var key = await factory.CreateKeyAsync(["analyze"]);
        using var client = factory.CreateClient(key);

        using var response = await client.PostTextAsync("/v1/jobs", Text);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Job_with_empty_text_gets_400_and_nothing_is_queued()
    {
        var key = await factory.CreateKeyAsync(["jobs:write"]);
        using var client = factory.CreateClient(key);

        using var response = await client.PostTextAsync("/v1/jobs", "");

        await AnalyzeEndpointTests.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        response.Headers.Location.Should().BeNull();
    }

    [Fact]
    public async Task The_job_span_in_the_worker_continues_the_trace_of_the_request_that_submitted_it()
    {
        var key = await factory.CreateKeyAsync(["jobs:write"]);
        using var client = factory.CreateClient(key);
        var consumerTraces = new List<(string Name, ActivityTraceId TraceId)>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Strata.Jobs",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Kind == ActivityKind.Consumer)
                {
                    lock (consumerTraces)
                    {
                        consumerTraces.Add((activity.DisplayName, activity.TraceId));
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        HttpResponseMessage accepted;
        ActivityTraceId traceId;
        using (var caller = TestTrace.Start())
        {
            traceId = caller.TraceId;
            accepted = await client.PostTextAsync("/v1/jobs", Text);
        }

        using var _ = accepted;
        var done = await PollUntilFinishedAsync(client, accepted.Headers.Location!.ToString());

        done.State.Should().Be("succeeded");
        await WaitUntilAsync(() =>
        {
            lock (consumerTraces)
            {
                return consumerTraces.Any(trace => trace.TraceId == traceId);
            }
        });
        await WaitUntilAsync(() => factory.Logs.All.Contains($"Job {done.Id} analyzed", StringComparison.Ordinal));
        factory.Logs.All.Should().Contain($"trace {traceId}", "the handler logs the trace it runs in");
    }

    internal static async Task<JobStatus> PollUntilFinishedAsync(HttpClient client, string location)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var status = await client.GetFromJsonAsync<JobStatus>(location);
            if (status!.State is "succeeded" or "dead" or "cancelled" || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(50);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        condition().Should().BeTrue();
    }

    private async Task<string> SubmitWithIdempotencyKeyAsync(string key, string idempotencyKey)
    {
        using var client = factory.CreateClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs") { Content = JsonContent.Create(new { text = Text }) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}

/// <summary>A model slow enough (30 s a call) that a job is still running when it is cancelled.</summary>
public sealed class SlowModelFactory : SampleApiFactory
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Ai:SimulatedLatency", "00:00:30")];
}

public sealed class JobCancelTests(SlowModelFactory factory) : IClassFixture<SlowModelFactory>
{
    [Fact]
    public async Task Cancelling_a_running_job_ends_it_cancelled_with_no_analysis_stored()
    {
        var key = await factory.CreateKeyAsync(["jobs:write"]);
        using var client = factory.CreateClient(key);
        using var accepted = await client.PostTextAsync("/v1/jobs", "A long report that the slow model will take its time over.");
        var location = accepted.Headers.Location!.ToString();

        using var cancel = await client.DeleteAsync(location);

        cancel.StatusCode.Should().Be(HttpStatusCode.OK);
        var done = await JobEndpointTests.PollUntilFinishedAsync(client, location);
        done.State.Should().Be("cancelled");
        done.Result.Should().BeNull();
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        var id = done.Id;
        (await db.Analyses.AnyAsync(a => a.JobId == id)).Should().BeFalse();
    }
}
