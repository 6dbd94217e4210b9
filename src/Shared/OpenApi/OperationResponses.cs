using Microsoft.OpenApi;
#if MICROSOFT_OPENAPI_3
// Microsoft.OpenApi 3 (Swashbuckle 11) types content values by their interface, as a media type may be a reference.
using MediaTypes = System.Collections.Generic.Dictionary<string, Microsoft.OpenApi.IOpenApiMediaType>;
#else
using MediaTypes = System.Collections.Generic.Dictionary<string, Microsoft.OpenApi.OpenApiMediaType>;
#endif

namespace Strata.Shared.OpenApi;

/// <summary>
/// Adds responses, headers and parameters to an operation without losing what the endpoint's own metadata declared:
/// an existing response keeps its description; its body becomes the problem schema given.
/// </summary>
internal static class OperationResponses
{
    /// <summary>The response for <paramref name="status"/>, created with <paramref name="description"/> when missing.</summary>
    public static OpenApiResponse? GetOrAdd(OpenApiOperation operation, int status, string description)
    {
        operation.Responses ??= new OpenApiResponses();
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!operation.Responses.TryGetValue(key, out var response))
        {
            response = new OpenApiResponse { Description = description };
            operation.Responses[key] = response;
        }

        // A response by reference belongs to the document, not to this operation: left as it is.
        return response as OpenApiResponse;
    }

    /// <summary>The problem response for <paramref name="status"/>, its body set to <paramref name="schema"/> (as <c>application/problem+json</c>).</summary>
    public static OpenApiResponse? Problem(OpenApiOperation operation, int status, string description, IOpenApiSchema schema)
    {
        var response = GetOrAdd(operation, status, description);
        if (response is not null)
        {
            response.Description = description;
            ProblemBody(response, schema);
        }

        return response;
    }

    /// <summary>Sets the body of <paramref name="response"/> to <paramref name="schema"/> (as <c>application/problem+json</c>), its only content.</summary>
    public static void ProblemBody(OpenApiResponse response, IOpenApiSchema schema) =>
        response.Content = new MediaTypes(StringComparer.Ordinal) { [ProblemSchemas.ContentType] = new OpenApiMediaType { Schema = schema } };

    /// <summary>Sets the header <paramref name="name"/> on <paramref name="response"/>.</summary>
    public static void Header(OpenApiResponse? response, string name, string description, OpenApiSchema schema, bool required = false)
    {
        if (response is null)
        {
            return;
        }

        response.Headers ??= new Dictionary<string, IOpenApiHeader>(StringComparer.OrdinalIgnoreCase);
        response.Headers[name] = new OpenApiHeader { Description = description, Required = required, Schema = schema };
    }

    /// <summary>The operation's responses that are objects of its own (not references).</summary>
    public static IEnumerable<(string Status, OpenApiResponse Response)> All(OpenApiOperation operation) =>
        operation.Responses is null
            ? []
            : [.. operation.Responses.Where(r => r.Value is OpenApiResponse).Select(r => (r.Key, (OpenApiResponse)r.Value))];
}
