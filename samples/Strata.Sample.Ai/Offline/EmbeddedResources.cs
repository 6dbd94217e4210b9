using System.Collections.Frozen;
using System.Globalization;

namespace Strata.Sample.Ai.Offline;

/// <summary>Loads the lexicon and the stopword list the project ships as embedded resources.</summary>
internal static class EmbeddedResources
{
    internal const string LexiconName = "Strata.Sample.Ai.Resources.sentiment-lexicon.tsv";
    internal const string StopwordsName = "Strata.Sample.Ai.Resources.stopwords.txt";

    public static FrozenDictionary<string, double> LoadLexicon()
    {
        var lexicon = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (line, number) in Lines(LexiconName))
        {
            var parts = line.Split('\t');
            if (parts.Length != 2
                || !double.TryParse(parts[1], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var weight)
                || !lexicon.TryAdd(parts[0].Trim().ToLowerInvariant(), weight))
            {
                throw new InvalidOperationException($"Line {number} of the embedded sentiment lexicon is not 'word<TAB>weight' or repeats a word.");
            }
        }

        return lexicon.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public static FrozenSet<string> LoadStopwords() =>
        Lines(StopwordsName).Select(entry => entry.Line.Trim().ToLowerInvariant()).ToFrozenSet(StringComparer.Ordinal);

    private static IEnumerable<(string Line, int Number)> Lines(string resourceName)
    {
        using var stream = typeof(EmbeddedResources).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"The embedded resource {resourceName} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                yield return (line, number);
            }
        }
    }
}
