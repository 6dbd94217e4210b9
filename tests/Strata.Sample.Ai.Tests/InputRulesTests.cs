using Microsoft.Extensions.DependencyInjection;

namespace Strata.Sample.Ai.Tests;

public sealed class InputRulesTests : IDisposable
{
    private readonly ServiceProvider _services = AiTestServices.Build(new Dictionary<string, string?> { ["Ai:MaxTextLength"] = "50" });

    public void Dispose() => _services.Dispose();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\r\n\t ")]
    public async Task Empty_or_whitespace_text_throws_ArgumentException(string? text)
    {
        var act = async () => await _services.Analyzer().AnalyzeAsync(text!);

        (await act.Should().ThrowAsync<ArgumentException>())
            .Which.Message.Should().Contain("must not be empty or whitespace");
    }

    [Fact]
    public async Task Text_longer_than_the_maximum_throws_ArgumentException_naming_both_lengths()
    {
        var text = new string('a', 51);

        var act = async () => await _services.Analyzer().AnalyzeAsync(text);

        var exception = (await act.Should().ThrowAsync<ArgumentException>()).Which;
        exception.Message.Should().Contain("51 characters").And.Contain("at most 50");
        exception.Message.Should().NotContain(text, "the text is never quoted back");
    }

    [Fact]
    public async Task Text_of_exactly_the_maximum_length_is_analyzed()
    {
        var text = "Good tools make good work. " + new string('x', 50 - 27);

        var analysis = await _services.Analyzer().AnalyzeAsync(text);

        text.Should().HaveLength(50);
        analysis.Sentiment.Should().Be(Sentiments.Positive);
    }

    [Fact]
    public void Rules_report_the_problem_without_throwing_so_the_api_can_answer_400_before_charging_tokens()
    {
        var rules = _services.GetRequiredService<DocumentRules>();

        rules.MaxTextLength.Should().Be(50);
        rules.TryValidate("fine", out var none).Should().BeTrue();
        none.Should().BeNull();
        rules.TryValidate(" ", out var empty).Should().BeFalse();
        empty.Should().Contain("empty");
        rules.TryValidate(new string('b', 60), out var tooLong).Should().BeFalse();
        tooLong.Should().Contain("60 characters");
    }

    [Fact]
    public async Task Rejected_text_reports_no_progress()
    {
        var progress = new RecordingProgress();

        var act = async () => await _services.Analyzer().AnalyzeAsync(" ", progress);

        await act.Should().ThrowAsync<ArgumentException>();
        progress.Values.Should().BeEmpty();
    }
}
