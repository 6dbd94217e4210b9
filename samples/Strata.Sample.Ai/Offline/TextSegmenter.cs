using System.Text;

namespace Strata.Sample.Ai.Offline;

/// <summary>Splits text into sentences and lower-case words, without regular expressions, in one pass each.</summary>
internal static class TextSegmenter
{
    /// <summary>
    /// The sentences of <paramref name="text"/>, each a trimmed slice of it (so every sentence occurs verbatim in the
    /// text). A sentence ends after '.', '!' or '?' (and any closing quotes or brackets) followed by white space, or at
    /// a line break. Slices without a letter or digit are dropped.
    /// </summary>
    public static List<string> Sentences(string text)
    {
        var sentences = new List<string>();
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is '\n' or '\r')
            {
                Add(text, start, i, sentences);
                start = i + 1;
            }
            else if (c is '.' or '!' or '?' or '\u2026')
            {
                var end = i + 1;
                while (end < text.Length && text[end] is '.' or '!' or '?' or '"' or '\'' or ')' or ']' or '\u201D' or '\u2019')
                {
                    end++;
                }

                if (end == text.Length || char.IsWhiteSpace(text[end]))
                {
                    Add(text, start, end, sentences);
                    start = end;
                }

                i = end;
                continue;
            }

            i++;
        }

        Add(text, start, text.Length, sentences);
        return sentences;
    }

    private static void Add(string text, int start, int end, List<string> sentences)
    {
        var span = text.AsSpan(start, end - start).Trim();
        foreach (var c in span)
        {
            if (char.IsLetterOrDigit(c))
            {
                sentences.Add(span.ToString());
                return;
            }
        }
    }

    /// <summary>The words of <paramref name="text"/> in lower case: runs of letters and digits, with inner apostrophes kept ("don't").</summary>
    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var builder = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (c is '\'' or '\u2019' && builder.Length > 0 && i + 1 < text.Length && char.IsLetter(text[i + 1]))
            {
                builder.Append('\'');
            }
            else if (builder.Length > 0)
            {
                words.Add(builder.ToString());
                builder.Clear();
            }
        }

        if (builder.Length > 0)
        {
            words.Add(builder.ToString());
        }

        return words;
    }
}
