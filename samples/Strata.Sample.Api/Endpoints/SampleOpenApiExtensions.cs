using Scalar.AspNetCore;
using Strata.ApiKeys;

namespace Strata.Sample.Api.Endpoints;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) with the API-key scheme declared on every operation that needs a key,
/// and Scalar's interactive reference page (<c>/scalar</c>) set to send the key in <c>X-Api-Key</c>, so "Test Request"
/// works from the page once a key is pasted in.
/// </summary>
internal static class SampleOpenApiExtensions
{
    public static WebApplicationBuilder AddSampleOpenApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddApiKeySecurityScheme();
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Strata sample API";
                document.Info.Description =
                    "Document analysis behind API keys (Strata.ApiKeys), per-key rate limits and a token budget " +
                    "(Strata.RateLimiting) and a background job queue (Strata.Jobs). Send your key in the X-Api-Key header.";
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapSampleOpenApi(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(options => options
            .WithTitle("Strata sample API")
            .AddPreferredSecuritySchemes(ApiKeyDefaults.AuthenticationScheme));
        return app;
    }
}
