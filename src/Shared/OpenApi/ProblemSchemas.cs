using System.Globalization;
using Microsoft.OpenApi;

namespace Strata.Shared.OpenApi;

/// <summary>
/// The RFC 9457 ProblemDetails schemas Strata's answers use, written once into a document's components: the standard
/// members, <c>traceId</c> (added when the app registers <c>AddProblemDetails</c>), and the extensions of one kind of
/// answer. Compiled into each OpenApi package (linked source), so the packages stay independent.
/// </summary>
internal static class ProblemSchemas
{
    /// <summary>The media type of every Strata error body.</summary>
    public const string ContentType = "application/problem+json";

    /// <summary>The name of the plain problem schema (no extensions) under <c>components.schemas</c>.</summary>
    public const string Problem = "StrataProblemDetails";

    /// <summary>A reference to the plain problem schema, added to the document's components on first use.</summary>
    public static IOpenApiSchema Reference(OpenApiDocument document) =>
        Reference(document, Problem, "An RFC 9457 problem: what went wrong, for people and programs.");

    /// <summary>
    /// A reference to the problem schema <paramref name="name"/>, added to the document's components on first use with
    /// the standard members, <c>traceId</c>, and <paramref name="extensions"/>.
    /// </summary>
    public static IOpenApiSchema Reference(OpenApiDocument document, string name, string description, params (string Name, IOpenApiSchema Schema)[] extensions)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        if (!document.Components.Schemas.ContainsKey(name))
        {
            var properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["type"] = Text("A URI reference that names the kind of problem.", "uri-reference"),
                ["title"] = Text("A short summary of the kind of problem."),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status code." },
                ["detail"] = Text("What went wrong with this request."),
                ["instance"] = Text("A URI reference for this occurrence.", "uri-reference"),
                ["traceId"] = Text("The request's trace id, to find it in the server's logs (present when the app uses AddProblemDetails)."),
            };
            foreach (var (extension, schema) in extensions)
            {
                properties[extension] = schema;
            }

            document.Components.Schemas[name] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = description,
                Properties = properties,
            };
        }

        return new OpenApiSchemaReference(name, document);
    }

    /// <summary>A string schema.</summary>
    public static OpenApiSchema Text(string description, string? format = null) =>
        new() { Type = JsonSchemaType.String, Format = format, Description = description };

    /// <summary>An array of strings.</summary>
    public static OpenApiSchema Texts(string description) =>
        new() { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String }, Description = description };

    /// <summary>A whole number of seconds, at least <paramref name="minimum"/>.</summary>
    public static OpenApiSchema Seconds(string description, int minimum = 1) =>
        new() { Type = JsonSchemaType.Integer, Format = "int64", Minimum = minimum.ToString(CultureInfo.InvariantCulture), Description = description };
}
