using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Strata.Jobs.Swashbuckle;

/// <summary>
/// The job status schema's <c>state</c> as the endpoints write it (with their own serializer settings, not the app's):
/// one of the <see cref="JobState"/> names, where Swashbuckle would otherwise describe the enum by its numbers.
/// </summary>
internal sealed class JobStateSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.Type != typeof(JobState) || schema is not OpenApiSchema state)
        {
            return;
        }

        state.Type = JsonSchemaType.String;
        state.Format = null;
        state.Enum = [.. Enum.GetNames<JobState>().Select(name => (JsonNode)JsonValue.Create(name))];
    }
}
