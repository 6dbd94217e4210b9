using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Strata.Sample.Api.Endpoints;

/// <summary>
/// Response headers of the sample's own endpoints, which no Strata package knows about: the new key's
/// <c>Location</c> (201 of CreateKey) and the token budget's <c>Retry-After</c> (503 of Analyze when it fails closed).
/// The headers Strata adds (RateLimit, Retry-After on 429, Location on 202, WWW-Authenticate) come from its OpenApi packages.
/// </summary>
internal static class SampleOpenApiHeaders
{
    public static OpenApiOptions DeclareSampleHeaders(this OpenApiOptions options) => options.AddOperationTransformer((operation, _, _) =>
    {
        switch (operation.OperationId)
        {
            case "CreateKey":
                Header(operation, "201", "Location", "The new key's path, /admin/keys/{id}: DELETE revokes it, POST {path}/rotate rotates it.", new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri-reference" }, required: true);
                break;
            case "Analyze":
                Header(operation, "503", "Retry-After", "Seconds until the token budget can decide again (it fails closed while Redis is out of reach).", new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" }, required: false);
                break;
        }

        return Task.CompletedTask;
    });

    private static void Header(OpenApiOperation operation, string status, string name, string description, OpenApiSchema schema, bool required)
    {
        if (operation.Responses?.TryGetValue(status, out var found) == true && found is OpenApiResponse response)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>(StringComparer.OrdinalIgnoreCase);
            response.Headers[name] = new OpenApiHeader { Description = description, Required = required, Schema = schema };
        }
    }
}
