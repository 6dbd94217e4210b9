using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

public sealed class TelemetryTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    private static readonly string[] Sources =
    [
        "Microsoft.AspNetCore",                                // the request
        "Strata.Sample.Ai",                                    // the analysis (gen_ai spans of the AI layer)
        "OpenTelemetry.Instrumentation.EntityFrameworkCore",   // the database commands
    ];

    [Fact]
    public async Task A_sync_analysis_is_one_trace_through_the_request_the_ai_layer_and_ef_core()
    {
        var key = await factory.CreateKeyAsync(["analyze"]);
        using var client = factory.CreateClient(key);
        var spans = new ConcurrentBag<(string Source, ActivityTraceId TraceId)>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => Sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => spans.Add((activity.Source.Name, activity.TraceId)),
        };
        ActivitySource.AddActivityListener(listener);

        ActivityTraceId traceId;
        using (var caller = TestTrace.Start())
        {
            traceId = caller.TraceId;
            using var response = await client.PostTextAsync("/v1/analyze", "Traces make a slow request easy to explain.");
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !Sources.All(source => spans.Contains((source, traceId))))
        {
            await Task.Delay(20);
        }

        spans.Where(span => span.TraceId == traceId).Select(span => span.Source).Distinct().Should().Contain(Sources);
    }
}
