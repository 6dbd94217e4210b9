using System.Text;
using System.Text.RegularExpressions;

namespace Strata.Docs.Tests;

/// <summary>A link or image target found in a Markdown file, with the line it is on (1-based).</summary>
public sealed record MarkdownLink(int Line, string Target);

/// <summary>
/// Reads Markdown the way GitHub renders it, as far as links go: the targets of inline links and images
/// (<c>[text](target)</c>, <c>![alt](target)</c>, nested too), reference definitions (<c>[id]: target</c>) and HTML
/// <c>src</c> / <c>href</c> attributes, outside fenced code blocks and code spans; and the anchors a file offers
/// (its headings' slugs, numbered when repeated, and HTML <c>id</c> / <c>name</c> attributes).
/// </summary>
public static partial class MarkdownLinks
{
    /// <summary>Every link and image target in <paramref name="markdown"/>, code excluded.</summary>
    public static IReadOnlyList<MarkdownLink> Find(string markdown)
    {
        var links = new List<MarkdownLink>();
        var lines = SplitLines(markdown);
        foreach (var (number, line) in ProseLines(lines))
        {
            var text = CodeSpan().Replace(line, match => new string(' ', match.Length));
            for (var at = text.IndexOf("](", StringComparison.Ordinal); at >= 0; at = text.IndexOf("](", at + 2, StringComparison.Ordinal))
            {
                if (Destination(text, at + 2) is { Length: > 0 } target)
                {
                    links.Add(new MarkdownLink(number, target));
                }
            }

            if (ReferenceDefinition().Match(text) is { Success: true } definition)
            {
                links.Add(new MarkdownLink(number, definition.Groups["target"].Value.Trim('<', '>')));
            }

            foreach (Match attribute in HtmlLinkAttribute().Matches(text))
            {
                links.Add(new MarkdownLink(number, attribute.Groups["target"].Value));
            }
        }

        return links;
    }

    /// <summary>The anchors a Markdown file offers: GitHub's heading slugs (repeats get -1, -2, ...) and HTML ids and names.</summary>
    public static IReadOnlySet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, line) in ProseLines(SplitLines(markdown)))
        {
            if (AtxHeading().Match(line) is { Success: true } heading)
            {
                var slug = Slug(heading.Groups["text"].Value);
                var count = seen.GetValueOrDefault(slug);
                seen[slug] = count + 1;
                anchors.Add(count == 0 ? slug : $"{slug}-{count}");
            }

            foreach (Match attribute in HtmlAnchorAttribute().Matches(line))
            {
                anchors.Add(attribute.Groups["anchor"].Value);
            }
        }

        return anchors;
    }

    /// <summary>
    /// GitHub's anchor for a heading: the text as rendered (code ticks, emphasis and link syntax dropped), lower-case,
    /// every character that is not a letter, digit, space, '-' or '_' removed, each space turned into '-'.
    /// </summary>
    public static string Slug(string heading)
    {
        // Code spans keep their text as written; outside them, link syntax, tags and emphasis markers are dropped.
        var rendered = new StringBuilder(heading.Length);
        var at = 0;
        foreach (Match code in CodeSpan().Matches(heading))
        {
            rendered.Append(Prose(heading[at..code.Index])).Append(code.Groups["code"].Value);
            at = code.Index + code.Length;
        }

        var text = rendered.Append(Prose(heading[at..])).ToString();
        var slug = new StringBuilder(text.Length);
        foreach (var c in text.Trim().ToLowerInvariant())
        {
            if (c == ' ')
            {
                slug.Append('-');
            }
            else if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
        }

        return slug.ToString();
    }

    private static string Prose(string text)
    {
        text = InlineLink().Replace(text, "${text}");
        text = HtmlTag().Replace(text, string.Empty);
        text = text.Replace("*", string.Empty, StringComparison.Ordinal);
        return EmphasisUnderscore().Replace(text, string.Empty);
    }

    private static string[] SplitLines(string markdown) => markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

    /// <summary>The lines outside fenced code blocks (``` or ~~~, closed by a fence of the same character at least as long).</summary>
    private static IEnumerable<(int Number, string Line)> ProseLines(string[] lines)
    {
        string? fence = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (fence is null)
            {
                if (open.Success)
                {
                    fence = open.Groups["fence"].Value;
                    continue;
                }

                yield return (i + 1, lines[i]);
            }
            else if (open.Success && open.Groups["fence"].Value[0] == fence[0] && open.Groups["fence"].Value.Length >= fence.Length
                     && open.Groups["info"].Value.Trim().Length == 0)
            {
                fence = null;
            }
        }
    }

    /// <summary>The destination of an inline link starting at <paramref name="start"/> (just after "]("), or null.</summary>
    private static string? Destination(string text, int start)
    {
        var i = start;
        while (i < text.Length && text[i] == ' ')
        {
            i++;
        }

        if (i < text.Length && text[i] == '<')
        {
            var close = text.IndexOf('>', i + 1);
            return close < 0 ? null : text[(i + 1)..close];
        }

        var depth = 0;
        var begin = i;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                break;
            }

            if (c == '(')
            {
                depth++;
            }
            else if (c == ')')
            {
                if (depth == 0)
                {
                    break;
                }

                depth--;
            }
        }

        return text[begin..i];
    }

    [GeneratedRegex(@"^ {0,3}(?<fence>`{3,}|~{3,})(?<info>.*)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"(?<ticks>`+)(?!`)(?<code>.*?)(?<!`)\k<ticks>(?!`)")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^ {0,3}\[[^\]]+\]:\s*(?<target>\S+)")]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"<(?:a|img|source)\b[^>]*?\s(?:href|src)\s*=\s*[""'](?<target>[^""']*)[""']", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlLinkAttribute();

    [GeneratedRegex(@"<[a-z][a-z0-9]*\b[^>]*?\s(?:id|name)\s*=\s*[""'](?<anchor>[^""']+)[""']", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlAnchorAttribute();

    [GeneratedRegex(@"^ {0,3}#{1,6}(?:[ \t]+(?<text>.*?))?(?:[ \t]+#+)?[ \t]*$")]
    private static partial Regex AtxHeading();

    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"(?<![\p{L}\p{N}])_+|_+(?![\p{L}\p{N}])")]
    private static partial Regex EmphasisUnderscore();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex HtmlTag();
}
