using Microsoft.Extensions.Time.Testing;

namespace Strata.Sample.Ai.Tests;

public sealed class LatencyCancellationAndProgressTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Analysis_completes_only_after_the_simulated_latency_has_passed_on_the_time_provider()
    {
        var time = new FakeTimeProvider();
        using var services = AiTestServices.Build(new Dictionary<string, string?> { ["Ai:SimulatedLatency"] = "00:00:00.200" }, time);

        var analysis = services.Analyzer().AnalyzeAsync(SampleTexts.Release).AsTask();

        analysis.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromMilliseconds(199));
        analysis.IsCompleted.Should().BeFalse("the simulated model has 1 ms left to think");
        time.Advance(TimeSpan.FromMilliseconds(1));
        (await analysis.WaitAsync(Wait)).Summary.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Cancellation_during_the_simulated_latency_cancels_the_analysis()
    {
        var time = new FakeTimeProvider();
        using var services = AiTestServices.Build(new Dictionary<string, string?> { ["Ai:SimulatedLatency"] = "00:00:05" }, time);
        using var cancellation = new CancellationTokenSource();
        var progress = new RecordingProgress();

        var analysis = services.Analyzer().AnalyzeAsync(SampleTexts.Release, progress, cancellation.Token).AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        await cancellation.CancelAsync();

        await analysis.Invoking(task => task.WaitAsync(Wait)).Should().ThrowAsync<OperationCanceledException>();
        progress.Values.Should().Equal(0.1);
    }

    [Fact]
    public async Task An_already_cancelled_token_cancels_before_any_work()
    {
        using var services = AiTestServices.Build();
        var progress = new RecordingProgress();

        var act = async () => await services.Analyzer().AnalyzeAsync(SampleTexts.Release, progress, new CancellationToken(canceled: true));

        await act.Should().ThrowAsync<OperationCanceledException>();
        progress.Values.Should().BeEmpty();
    }

    [Fact]
    public async Task Progress_is_reported_after_tokenizing_after_the_answer_and_at_the_end()
    {
        using var services = AiTestServices.Build();
        var progress = new RecordingProgress();

        await services.Analyzer().AnalyzeAsync(SampleTexts.Release, progress);

        progress.Values.Should().Equal(0.1, 0.9, 1.0);
    }

    [Fact]
    public async Task Zero_latency_answers_without_waiting_for_the_clock()
    {
        var time = new FakeTimeProvider();
        using var services = AiTestServices.Build(new Dictionary<string, string?> { ["Ai:SimulatedLatency"] = "00:00:00" }, time);

        var analysis = services.Analyzer().AnalyzeAsync("Plain words matter.").AsTask();

        (await analysis.WaitAsync(Wait)).Keywords.Should().Equal("plain", "words", "matter");
    }
}
