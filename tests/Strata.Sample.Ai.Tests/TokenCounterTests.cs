using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.Tokenizers;

namespace Strata.Sample.Ai.Tests;

public sealed class TokenCounterTests : IDisposable
{
    private readonly ServiceProvider _services = AiTestServices.Build();

    private ITokenCounter Counter => _services.GetRequiredService<ITokenCounter>();

    public void Dispose() => _services.Dispose();

    [Theory]
    [InlineData("hello world", 2)]
    [InlineData("Hello, world!", 4)]
    [InlineData("", 0)]
    public void Counts_known_small_cases_of_the_o200k_encoding(string text, int expected)
    {
        Counter.CountTokens(text).Should().Be(expected);
    }

    [Theory]
    [InlineData("The quick brown fox jumps over the lazy dog.")]
    [InlineData("Grüße aus Köln! 東京は晴れ。 Ünïcödé and emoji 🚀🚀 cost more tokens.")]
    [InlineData("    indented code();\n\tfor (var i = 0; i < 10; i++) { sum += i; }\n")]
    [InlineData(SampleTexts.Release)]
    public void Counts_as_many_tokens_as_the_o200k_tokenizer_encodes(string text)
    {
        var reference = TiktokenTokenizer.CreateForEncoding("o200k_base");

        Counter.CountTokens(text).Should().Be(reference.EncodeToIds(text).Count);
    }

    [Fact]
    public void Uses_the_o200k_vocabulary_not_cl100k()
    {
        // "hello world" encodes to ids 24912 and 2375 in o200k_base (cl100k_base gives 15339 and 1917).
        var reference = TiktokenTokenizer.CreateForEncoding("o200k_base");

        reference.EncodeToIds("hello world").Should().Equal(24912, 2375);
        Counter.CountTokens("hello world").Should().Be(2);
    }

    [Fact]
    public void A_longer_text_costs_more_tokens()
    {
        var one = Counter.CountTokens(SampleTexts.Release);
        var three = Counter.CountTokens(string.Concat(Enumerable.Repeat(SampleTexts.Release, 3)));

        three.Should().BeGreaterThan(2 * one);
    }

    [Fact]
    public void Counting_from_many_threads_at_once_gives_the_same_counts()
    {
        var texts = Enumerable.Range(0, 200).Select(i => $"Document {i}: {SampleTexts.Release[..(i % 150 + 10)]}").ToArray();
        var expected = texts.Select(Counter.CountTokens).ToArray();
        var actual = new int[texts.Length];

        Parallel.For(0, texts.Length * 5, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            actual[i % texts.Length] = Counter.CountTokens(texts[i % texts.Length]));

        actual.Should().Equal(expected);
    }

    [Fact]
    public void Null_text_throws_ArgumentNullException()
    {
        var act = () => Counter.CountTokens(null!);

        act.Should().Throw<ArgumentNullException>();
    }
}
