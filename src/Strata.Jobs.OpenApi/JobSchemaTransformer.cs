using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Strata.Jobs.OpenApi;

/// <summary>
/// The job status schema as the endpoints write it (with their own serializer settings, not the app's): numbers are
/// numbers, never strings (an app whose JSON options read numbers from strings would otherwise get
/// <c>["integer", "string"]</c>), and <c>state</c> is one of the <see cref="JobState"/> names.
/// </summary>
internal sealed class JobSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type == typeof(JobState))
        {
            schema.Type = JsonSchemaType.String;
        }
        else if (context.JsonPropertyInfo?.DeclaringType == typeof(JobInfo)
            && schema.Type is { } type
            && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0
            && (type & JsonSchemaType.String) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        return Task.CompletedTask;
    }
}
