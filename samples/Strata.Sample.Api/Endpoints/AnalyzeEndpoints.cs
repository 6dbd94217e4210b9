using Strata.Sample.Ai;
using Strata.Sample.Api.RateLimits;
using Strata.Sample.Api.Security;
using Strata.Sample.Data;
using Strata.Sample.Processing;

namespace Strata.Sample.Api.Endpoints;

/// <summary><c>POST /v1/analyze</c>: the sync path. Analyzes inline and answers with the stored analysis.</summary>
internal static class AnalyzeEndpoints
{
    /// <summary>Maps the route; its scope (<c>analyze</c>) and rate limits are set where it is mapped, in <c>Program.cs</c>.</summary>
    public static RouteHandlerBuilder MapAnalyzeEndpoints(this IEndpointRouteBuilder v1)
        => v1.MapPost("/analyze", AnalyzeAsync)
            .WithTags("Analysis")
            .WithName("Analyze")
            .WithSummary("Analyze a document now")
            .WithDescription("Summary, keywords, sentiment and token count, computed inline. Spends the document's tokens from the key's token budget.")
            .Accepts<DocumentRequest>("application/json")
            .Produces<AnalysisResult>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);   // rate limits with FailureMode FailClosed, Redis out

    private static async Task<IResult> AnalyzeAsync(
        DocumentRequest request,
        HttpContext context,
        DocumentRequestValidator validator,
        ITokenCounter tokenCounter,
        TokenBudget budget,
        IDocumentAnalyzer analyzer,
        IAnalysisRepository repository,
        CancellationToken cancellationToken)
    {
        if (validator.Validate(request) is { } invalid)
        {
            return invalid;
        }

        var text = request.Text!;
        var tokens = tokenCounter.CountTokens(text);
        if (await budget.SpendAsync(context, tokens, cancellationToken) is { } rejected)
        {
            return rejected;
        }

        DocumentAnalysis analysis;
        try
        {
            analysis = await analyzer.AnalyzeAsync(text, progress: null, cancellationToken);
        }
        catch (DocumentAnalysisException exception)
        {
            // The model (an OpenAI-compatible endpoint when configured) failed: not the caller's fault, not a bug here.
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The analysis model failed", detail: exception.Message);
        }

        // Stored whatever the client does from here (its tokens are spent): not with the request's token, whose
        // cancellation on a client's disconnect would reach the transaction while it waits for SQLite's write lock
        // (logged by EF Core as a transaction error; found by the fuzz pass).
        var stored = await repository.SaveAsync(
            new NewAnalysis(context.GetApiKeyId(), text, JobId: null, analysis.Summary, analysis.Keywords,
                analysis.Sentiment, analysis.SentimentScore, analysis.TokenCount),
            CancellationToken.None);
        return TypedResults.Ok(AnalysisResult.From(stored));
    }
}
