namespace Strata.Sample.Ai;

/// <summary>Analyzes a document: an extractive summary, keywords, sentiment and the document's token count.</summary>
public interface IDocumentAnalyzer
{
    /// <summary>Analyzes <paramref name="text"/>.</summary>
    /// <param name="text">The document. Must not be null, empty or whitespace, nor longer than <see cref="AiOptions.MaxTextLength"/>.</param>
    /// <param name="progress">Receives the progress in [0, 1] (0.1 once the text is tokenized, 1 when done).</param>
    /// <param name="cancellationToken">Cancels the analysis, also while the model is thinking.</param>
    /// <returns>The analysis.</returns>
    /// <exception cref="ArgumentException">The text is null, empty, whitespace or too long (the API answers 400).</exception>
    /// <exception cref="DocumentAnalysisException">The model failed or its reply could not be understood (the API answers 502).</exception>
    ValueTask<DocumentAnalysis> AnalyzeAsync(string text, IProgress<double>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>The result of an analysis.</summary>
/// <param name="Summary">The summary: for the offline model, the highest-scoring sentences of the text in document order.</param>
/// <param name="Keywords">The keywords, most relevant first.</param>
/// <param name="Sentiment"><c>"positive"</c>, <c>"neutral"</c> or <c>"negative"</c> (see <see cref="Sentiments"/>).</param>
/// <param name="SentimentScore">The sentiment score in [-1, 1].</param>
/// <param name="TokenCount">The number of tokens of the text (o200k_base encoding, from <see cref="ITokenCounter"/>).</param>
public sealed record DocumentAnalysis(string Summary, IReadOnlyList<string> Keywords, string Sentiment, double SentimentScore, int TokenCount);

/// <summary>Counts the tokens of a text; the API spends them as permits of a per-key token budget.</summary>
public interface ITokenCounter
{
    /// <summary>Counts the tokens of <paramref name="text"/> (0 for an empty text).</summary>
    int CountTokens(string text);
}

/// <summary>The values of <see cref="DocumentAnalysis.Sentiment"/>.</summary>
public static class Sentiments
{
    /// <summary>The text reads positive.</summary>
    public const string Positive = "positive";

    /// <summary>The text reads neither positive nor negative.</summary>
    public const string Neutral = "neutral";

    /// <summary>The text reads negative.</summary>
    public const string Negative = "negative";
}
