using Microsoft.AspNetCore.OpenApi;

namespace Strata.Sample.Api.Endpoints;

/// <summary>
/// The title and description of the sample's OpenAPI document (<c>/openapi/v1.json</c>), and the limits the endpoints
/// enforce (<see cref="SampleOpenApiSchemas"/>). The API-key scheme on every
/// operation that needs a key, and Scalar's reference page (<c>/scalar</c>) sending the key in <c>X-Api-Key</c>, are
/// set up in <c>Program.cs</c>.
/// </summary>
internal static class SampleOpenApi
{
    public const string Title = "Strata sample API";

    public static OpenApiOptions DescribeSampleApi(this OpenApiOptions options) => options.DeclareSampleLimits().DeclareSampleHeaders().AddDocumentTransformer((document, _, _) =>
    {
        document.Info.Title = Title;
        document.Info.Description =
            "Document analysis behind API keys (Strata.ApiKeys), per-key rate limits and a token budget " +
            "(Strata.RateLimiting) and a background job queue (Strata.Jobs). Send your key in the X-Api-Key header.";
        return Task.CompletedTask;
    });
}
