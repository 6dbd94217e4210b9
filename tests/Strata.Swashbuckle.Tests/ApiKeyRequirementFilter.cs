using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Strata.Swashbuckle.Tests;

/// <summary>An app's own filter, registered before Strata's, that requires the ApiKey and Bearer schemes together on every operation.</summary>
internal sealed class ApiKeyRequirementFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context) =>
        operation.Security =
        [
            new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference("ApiKey", context.Document)] = [],
                [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [],
            },
        ];
}
