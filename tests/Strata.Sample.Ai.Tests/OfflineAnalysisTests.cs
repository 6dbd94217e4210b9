using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Strata.Sample.Ai.Offline;

namespace Strata.Sample.Ai.Tests;

public sealed class OfflineAnalysisTests : IDisposable
{
    private readonly ServiceProvider _services = AiTestServices.Build();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Same_text_gives_the_same_analysis_every_time_and_in_a_new_host()
    {
        var first = await _services.Analyzer().AnalyzeAsync(SampleTexts.Release);
        var second = await _services.Analyzer().AnalyzeAsync(SampleTexts.Release);
        using var other = AiTestServices.Build();
        var third = await other.Analyzer().AnalyzeAsync(SampleTexts.Release);

        second.Should().BeEquivalentTo(first, options => options.WithStrictOrdering());
        third.Should().BeEquivalentTo(first, options => options.WithStrictOrdering());
    }

    [Fact]
    public async Task Summary_is_at_most_three_sentences_of_the_text_in_document_order()
    {
        var analysis = await _services.Analyzer().AnalyzeAsync(SampleTexts.Release);

        var sentences = TextSegmenter.Sentences(analysis.Summary);
        sentences.Should().HaveCount(3, "the text has six sentences and the summary keeps three");
        var positions = sentences.Select(sentence => SampleTexts.Release.IndexOf(sentence, StringComparison.Ordinal)).ToList();
        positions.Should().OnlyContain(position => position >= 0, "every summary sentence is copied from the text");
        positions.Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task Summary_keeps_the_sentences_about_the_frequent_terms_and_drops_the_asides()
    {
        var analysis = await _services.Analyzer().AnalyzeAsync(SampleTexts.Release);

        analysis.Summary.Should().Contain("A cache in front of Redis answers most reads");
        analysis.Summary.Should().NotContain("Lunch was served at noon.");
        analysis.Summary.Should().NotContain("parking lot");
    }

    [Fact]
    public async Task Keywords_are_the_most_frequent_words_of_the_text_and_exclude_stopwords()
    {
        var analysis = await _services.Analyzer().AnalyzeAsync(SampleTexts.Release);

        analysis.Keywords.Should().HaveCountLessThanOrEqualTo(8).And.OnlyHaveUniqueItems();
        analysis.Keywords.Take(2).Should().Equal("redis", "cache");
        analysis.Keywords.Should().NotContain(OfflineModel.Shared.Stopwords);
        analysis.Keywords.Should().NotContain(["the", "of", "in", "and", "was"]);
        analysis.Keywords.Should().OnlyContain(keyword => SampleTexts.Release.Contains(keyword, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_text_with_fewer_sentences_than_the_summary_length_is_its_own_summary()
    {
        var analysis = await _services.Analyzer().AnalyzeAsync("  Short notes help.  Nothing else matters here.  ");

        analysis.Summary.Should().Be("Short notes help. Nothing else matters here.");
    }

    [Theory]
    [InlineData("The new dashboard is excellent and the support team was wonderful.", Sentiments.Positive)]
    [InlineData("The release is terrible: it crashed twice and the error messages are useless.", Sentiments.Negative)]
    [InlineData("The meeting is on Tuesday in room four.", Sentiments.Neutral)]
    [InlineData("The update was not good.", Sentiments.Negative)]
    [InlineData("Honestly, the migration wasn't bad at all.", Sentiments.Positive)]
    [InlineData("We never had a problem with it.", Sentiments.Positive)]
    [InlineData("I didn\u2019t enjoy the upgrade.", Sentiments.Negative)]
    [InlineData("It is not a good fit. The support was excellent and helpful.", Sentiments.Positive)]
    public async Task Sentiment_follows_the_lexicon_with_negation(string text, string expected)
    {
        var analysis = await _services.Analyzer().AnalyzeAsync(text);

        analysis.Sentiment.Should().Be(expected);
        analysis.SentimentScore.Should().BeInRange(-1, 1);
        switch (expected)
        {
            case Sentiments.Positive:
                analysis.SentimentScore.Should().BePositive();
                break;
            case Sentiments.Negative:
                analysis.SentimentScore.Should().BeNegative();
                break;
            default:
                analysis.SentimentScore.Should().Be(0);
                break;
        }
    }

    [Fact]
    public async Task Many_analyses_at_once_give_the_same_results_as_one_at_a_time()
    {
        string[] texts = [SampleTexts.Release, "The update was not good.", "Plain words matter.", "Support was excellent and fast."];
        var expected = new List<DocumentAnalysis>();
        foreach (var text in texts)
        {
            expected.Add(await _services.Analyzer().AnalyzeAsync(text));
        }

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => _services.Analyzer().AnalyzeAsync(texts[i % texts.Length]).AsTask()));

        for (var i = 0; i < concurrent.Length; i++)
        {
            concurrent[i].Should().BeEquivalentTo(expected[i % texts.Length], options => options.WithStrictOrdering());
        }
    }

    [Fact]
    public async Task An_intensifier_makes_the_sentiment_stronger()
    {
        var plain = await _services.Analyzer().AnalyzeAsync("The food was good.");
        var intensified = await _services.Analyzer().AnalyzeAsync("The food was very good.");

        intensified.SentimentScore.Should().BeGreaterThan(plain.SentimentScore);
    }

    [Fact]
    public async Task Token_count_of_the_analysis_comes_from_the_token_counter()
    {
        var analysis = await _services.Analyzer().AnalyzeAsync(SampleTexts.Release);

        analysis.TokenCount.Should().Be(_services.GetRequiredService<ITokenCounter>().CountTokens(SampleTexts.Release));
        analysis.TokenCount.Should().BeGreaterThan(50);
    }

    [Fact]
    public async Task Summary_sentences_and_keywords_follow_the_configured_limits()
    {
        using var services = AiTestServices.Build(new Dictionary<string, string?>
        {
            ["Ai:SummarySentences"] = "1",
            ["Ai:MaxKeywords"] = "2",
        });

        var analysis = await services.Analyzer().AnalyzeAsync(SampleTexts.Release);

        TextSegmenter.Sentences(analysis.Summary).Should().ContainSingle();
        analysis.Keywords.Should().Equal("redis", "cache");
        services.GetRequiredService<IOptions<AiOptions>>().Value.SummarySentences.Should().Be(1);
    }

    [Fact]
    public async Task The_readme_example_gives_what_the_readme_says()
    {
        const string text = "Strata makes API keys easy. The rate limiter is fast and the job queue is reliable. "
            + "The docs are not bad, but the setup was confusing at first. Support answered quickly.";

        var analysis = await _services.Analyzer().AnalyzeAsync(text);

        analysis.Summary.Should().Be("Strata makes API keys easy. The rate limiter is fast and the job queue is reliable. The docs are not bad, but the setup was confusing at first.");
        analysis.Keywords.Take(4).Should().Equal("strata", "api", "keys", "easy");
        analysis.Sentiment.Should().Be(Sentiments.Positive);
        analysis.SentimentScore.Should().BeApproximately(0.82, 0.005);
        analysis.TokenCount.Should().Be(37, "o200k_base encodes this text in 37 tokens");
    }

    [Fact]
    public async Task Offline_chat_client_streams_the_same_json_it_answers()
    {
        var chat = _services.GetRequiredService<IChatClient>();
        ChatMessage[] messages = [new(ChatRole.User, SampleTexts.Release)];

        var response = await chat.GetResponseAsync(messages);
        var streamed = new StringBuilder();
        await foreach (var update in chat.GetStreamingResponseAsync(messages))
        {
            streamed.Append(update.Text);
        }

        streamed.ToString().Should().Be(response.Text);
        JsonDocument.Parse(response.Text).RootElement.GetProperty("sentiment").GetString().Should().Be(Sentiments.Positive);
    }

    [Fact]
    public void The_embedded_lexicon_and_stopwords_are_loaded()
    {
        OfflineModel.Shared.Lexicon.Should().ContainKey("excellent").WhoseValue.Should().BePositive();
        OfflineModel.Shared.Lexicon.Should().ContainKey("terrible").WhoseValue.Should().BeNegative();
        OfflineModel.Shared.Stopwords.Should().Contain(["the", "and", "of"]);
    }
}
