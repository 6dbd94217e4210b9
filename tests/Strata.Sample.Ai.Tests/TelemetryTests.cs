using System.Collections.Concurrent;
using System.Diagnostics;

namespace Strata.Sample.Ai.Tests;

public sealed class TelemetryTests : IDisposable
{
    private const string Text = "The onboarding flow is excellent. Secret project Bluebird ships on Friday.";

    private static readonly ActivitySource TestSource = new("Strata.Sample.Ai.Tests");

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TelemetryTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is AiTelemetry.SourceName or "Strata.Sample.Ai.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Each_analysis_has_a_span_with_the_token_count_and_provider_and_never_the_text()
    {
        using var services = AiTestServices.Build();
        DocumentAnalysis analysis;
        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("test"))
        {
            traceId = root!.TraceId;
            analysis = await services.Analyzer().AnalyzeAsync(Text);
        }

        var mine = _stopped.Where(activity => activity.TraceId == traceId && activity.Source.Name == AiTelemetry.SourceName).ToList();
        var span = mine.Should().ContainSingle(activity => activity.DisplayName == "analyze document").Which;
        span.GetTagItem("strata.ai.token_count").Should().Be(analysis.TokenCount);
        span.GetTagItem("gen_ai.provider.name").Should().Be("strata-offline");
        span.GetTagItem("strata.ai.sentiment").Should().Be(Sentiments.Positive);
        mine.Should().Contain(activity => activity.ParentSpanId == span.SpanId, "the model call is a child span (gen_ai conventions)");
        foreach (var activity in mine)
        {
            activity.TagObjects.Select(tag => tag.Value?.ToString() ?? string.Empty)
                .Concat(activity.Events.SelectMany(e => e.Tags.Select(tag => tag.Value?.ToString() ?? string.Empty)))
                .Should().NotContain(value => value.Contains("Bluebird", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_rejected_text_starts_no_span()
    {
        using var services = AiTestServices.Build();
        ActivityTraceId traceId;
        using (var root = TestSource.StartActivity("test"))
        {
            traceId = root!.TraceId;
            await FluentActions.Awaiting(async () => await services.Analyzer().AnalyzeAsync(" ")).Should().ThrowAsync<ArgumentException>();
        }

        _stopped.Should().NotContain(activity => activity.TraceId == traceId && activity.Source.Name == AiTelemetry.SourceName);
    }

    [Fact]
    public async Task A_finished_analysis_is_logged_with_counts_and_never_the_text()
    {
        using var services = AiTestServices.Build();

        var analysis = await services.Analyzer().AnalyzeAsync(Text);

        var records = services.Logs().GetSnapshot();
        var record = records.Should().ContainSingle(r => r.Id.Name == "DocumentAnalyzed").Which;
        record.StructuredState.Should().Contain(new KeyValuePair<string, string?>("TokenCount", analysis.TokenCount.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        record.StructuredState.Should().Contain(new KeyValuePair<string, string?>("Provider", "strata-offline"));
        records.Should().NotContain(r => r.Message.Contains("Bluebird", StringComparison.Ordinal));
    }
}
