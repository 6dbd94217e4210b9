using Strata.Sample.Ai;

namespace Strata.Sample.Api.Endpoints;

/// <summary>The body of <c>POST /v1/analyze</c> and <c>POST /v1/jobs</c>.</summary>
/// <param name="Text">The document to analyze: not empty, at most <c>Ai:MaxTextLength</c> characters (100,000 by default).</param>
public sealed record DocumentRequest(string? Text);

/// <summary>
/// Checks a <see cref="DocumentRequest"/> against the AI layer's <see cref="DocumentRules"/> before anything is spent:
/// a 400 ValidationProblem naming the field, or null when valid.
/// </summary>
internal sealed class DocumentRequestValidator(DocumentRules rules)
{
    public IResult? Validate(DocumentRequest? request)
    {
        if (rules.TryValidate(request?.Text, out var error))
        {
            return null;
        }

        return TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { ["text"] = [error] },
            detail: error,
            title: "Invalid document");
    }
}
