using System.ComponentModel.DataAnnotations;
using Strata.Sample.Ai;

namespace Strata.Sample.Api.Endpoints;

/// <summary>The body of <c>POST /v1/analyze</c> and <c>POST /v1/jobs</c>.</summary>
/// <param name="Text">The document to analyze: not empty, at most <c>Ai:MaxTextLength</c> characters (100,000 by default).</param>
/// <remarks>
/// Required and not null in the OpenAPI document, with the configured maximum length (<see cref="SampleOpenApiSchemas"/>);
/// the validator below still answers a null or empty text with 400 naming <c>text</c>.
/// </remarks>
public sealed record DocumentRequest([property: MinLength(1)] string Text);

/// <summary>
/// Checks a <see cref="DocumentRequest"/> against the AI layer's <see cref="DocumentRules"/> before anything is spent,
/// and against two rules of this host: the text has something to analyze (a letter or digit), and no unbroken run of
/// letters (or of symbols) longer than <see cref="MaxRunLength"/>. A 400 ValidationProblem naming the field, or null.
/// </summary>
/// <remarks>
/// The run limit bounds the cost of counting tokens: the o200k tokenizer treats such a run as one piece, and its time
/// grows with the square of the piece (100,000 'é' in one run took about 50 s of CPU, found by the fuzz pass). Words of
/// any language, CJK text with its punctuation, URLs and numbers stay far below it.
/// </remarks>
internal sealed class DocumentRequestValidator(DocumentRules rules)
{
    /// <summary>The longest unbroken run of letters, or of symbols and punctuation, a text may have.</summary>
    public const int MaxRunLength = 1000;

    public IResult? Validate(DocumentRequest? request)
    {
        if (rules.TryValidate(request?.Text, out var error))
        {
            error = HostRuleError(request!.Text!);
            if (error is null)
            {
                return null;
            }
        }

        return TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { ["text"] = [error] },
            detail: error,
            title: "Invalid document");
    }

    private static string? HostRuleError(string text)
    {
        var hasLetterOrDigit = false;
        int longest = 0, run = 0, kind = 0;
        foreach (var c in text)
        {
            hasLetterOrDigit |= char.IsLetterOrDigit(c);

            // 1: letters and combining marks; 2: anything else that is not white space or a digit; 0: a break.
            var next = char.IsLetter(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark
                ? 1
                : char.IsWhiteSpace(c) || char.IsDigit(c) ? 0 : 2;
            run = next == 0 ? 0 : next == kind ? run + 1 : 1;
            kind = next;
            longest = Math.Max(longest, run);
        }

        if (!hasLetterOrDigit)
        {
            return "The text has no letter or digit, so there is nothing to analyze.";
        }

        return longest > MaxRunLength
            ? $"The text has an unbroken run of {longest} letters or symbols; at most {MaxRunLength} are accepted. Separate its words."
            : null;
    }
}
