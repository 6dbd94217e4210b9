using System.Collections.Frozen;

namespace Strata.Sample.Ai.Offline;

/// <summary>What the offline model computes for a text.</summary>
internal sealed record OfflineResult(string Summary, IReadOnlyList<string> Keywords, string Sentiment, double SentimentScore);

/// <summary>
/// The offline model: an extractive summary (the sentences whose content words are most frequent in the text, in
/// document order), keywords (the most frequent content words) and a lexicon sentiment with negation. Pure and
/// deterministic: the same text and settings give the same result.
/// </summary>
internal sealed class OfflineModel
{
    // Normalises the summed lexicon weights into (-1, 1): sum / sqrt(sum^2 + Alpha).
    private const double Alpha = 15;
    private const double NeutralBand = 0.05;
    private const double NegationFactor = 0.75;
    private const double IntensifierFactor = 1.5;
    private const int NegationScope = 3;
    private const int MinKeywordLength = 3;

    private static readonly FrozenSet<string> Negators = FrozenSet.ToFrozenSet(
        ["not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "nowhere", "cannot", "without", "hardly", "barely"],
        StringComparer.Ordinal);

    private static readonly FrozenSet<string> Intensifiers = FrozenSet.ToFrozenSet(
        ["very", "really", "extremely", "highly", "truly", "so", "incredibly", "absolutely", "totally"],
        StringComparer.Ordinal);

    private static readonly Lazy<OfflineModel> SharedModel = new(
        () => new OfflineModel(EmbeddedResources.LoadLexicon(), EmbeddedResources.LoadStopwords()),
        LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly FrozenDictionary<string, double> _lexicon;
    private readonly FrozenSet<string> _stopwords;

    internal OfflineModel(FrozenDictionary<string, double> lexicon, FrozenSet<string> stopwords)
    {
        _lexicon = lexicon;
        _stopwords = stopwords;
    }

    /// <summary>The model with the lexicon and stopwords shipped as embedded resources, loaded once.</summary>
    public static OfflineModel Shared => SharedModel.Value;

    public IReadOnlyCollection<string> Stopwords => _stopwords;

    public IReadOnlyDictionary<string, double> Lexicon => _lexicon;

    public OfflineResult Analyze(string text, int summarySentences, int maxKeywords)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sentences = TextSegmenter.Sentences(text);
        var words = new List<string>[sentences.Count];
        var frequencies = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstSeen = new Dictionary<string, int>(StringComparer.Ordinal);
        var position = 0;
        for (var i = 0; i < sentences.Count; i++)
        {
            words[i] = TextSegmenter.Words(sentences[i]);
            foreach (var word in words[i])
            {
                position++;
                if (IsContentWord(word))
                {
                    frequencies[word] = frequencies.GetValueOrDefault(word) + 1;
                    firstSeen.TryAdd(word, position);
                }
            }
        }

        var summary = Summarize(sentences, words, frequencies, summarySentences);
        var keywords = frequencies
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => firstSeen[pair.Key])
            .Take(maxKeywords)
            .Select(pair => pair.Key)
            .ToArray();

        var score = Sentiment(words);
        var label = score >= NeutralBand ? Sentiments.Positive : score <= -NeutralBand ? Sentiments.Negative : Sentiments.Neutral;
        return new OfflineResult(summary, keywords, label, score);
    }

    internal bool IsContentWord(string word) =>
        word.Length >= MinKeywordLength
        && !_stopwords.Contains(word)
        && !Negators.Contains(word)
        && !IsNegation(word)
        && word.Any(char.IsLetter);

    private string Summarize(IReadOnlyList<string> sentences, List<string>[] words, Dictionary<string, int> frequencies, int count)
    {
        if (sentences.Count <= count)
        {
            return string.Join(' ', sentences);
        }

        var maxFrequency = frequencies.Count == 0 ? 1 : frequencies.Values.Max();
        var scores = new double[sentences.Count];
        for (var i = 0; i < sentences.Count; i++)
        {
            var content = words[i].Where(IsContentWord).ToList();
            if (content.Count > 0)
            {
                // Mean relative frequency, damped so that one long sentence does not win by length alone.
                var sum = content.Sum(word => (double)frequencies[word] / maxFrequency);
                scores[i] = sum / Math.Sqrt(content.Count);
            }
        }

        var chosen = Enumerable.Range(0, sentences.Count)
            .OrderByDescending(i => scores[i])
            .ThenBy(i => i)
            .Take(count)
            .Order();
        return string.Join(' ', chosen.Select(i => sentences[i]));
    }

    private double Sentiment(List<string>[] sentences)
    {
        var sum = 0.0;
        foreach (var words in sentences)
        {
            var negationLeft = 0;
            var boost = 1.0;
            foreach (var word in words)
            {
                if (Negators.Contains(word) || IsNegation(word))
                {
                    negationLeft = NegationScope;
                    continue;
                }

                if (Intensifiers.Contains(word))
                {
                    boost = IntensifierFactor;
                    continue;
                }

                if (_lexicon.TryGetValue(word, out var weight))
                {
                    var value = weight * boost;
                    sum += negationLeft > 0 ? -value * NegationFactor : value;
                    negationLeft = 0;
                }
                else if (negationLeft > 0)
                {
                    negationLeft--;
                }

                boost = 1.0;
            }
        }

        var score = sum / Math.Sqrt((sum * sum) + Alpha);
        return Math.Round(Math.Clamp(score, -1, 1), 4, MidpointRounding.ToEven);
    }

    // "don't", "isn't", "wasn't", "can't": the contraction negates what follows.
    private static bool IsNegation(string word) => word.EndsWith("n't", StringComparison.Ordinal);
}
