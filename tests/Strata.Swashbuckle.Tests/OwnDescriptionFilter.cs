using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Strata.Swashbuckle.Tests;

/// <summary>
/// What an app's own operation filter, registered before Strata's, declares: a Bearer requirement and a 401 with a
/// header of its own on <c>/me</c>, a header parameter and response headers on the job submission, a 429 of its own on
/// <c>/one</c>. Strata's filters must keep all of it.
/// </summary>
internal sealed class OwnDescriptionFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var path = context.ApiDescription.RelativePath?.Trim('/');
        if (path == "me")
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] }];
            operation.Responses!["401"] = Response("Not signed in.");
        }
        else if (path == "v1/echo" && context.ApiDescription.HttpMethod == "POST")
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter { Name = "X-Tenant", In = ParameterLocation.Header, Schema = Text() });
            foreach (var status in new[] { "202", "503" })
            {
                var response = (OpenApiResponse)operation.Responses![status];
                response.Headers = new Dictionary<string, IOpenApiHeader> { ["X-Trace"] = new OpenApiHeader { Schema = Text() } };
            }
        }
        else if (path == "one")
        {
            operation.Responses!["429"] = Response("Slow down.");
        }
    }

    /// <summary>The Bearer scheme the requirement on <c>/me</c> names.</summary>
    public static OpenApiSecurityScheme BearerScheme() => new() { Type = SecuritySchemeType.Http, Scheme = "bearer" };

    private static OpenApiResponse Response(string description) => new()
    {
        Description = description,
        Headers = new Dictionary<string, IOpenApiHeader> { ["X-Trace"] = new OpenApiHeader { Schema = Text() } },
    };

    private static OpenApiSchema Text() => new() { Type = JsonSchemaType.String };
}
