using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Strata.Swashbuckle.Tests;

/// <summary>An app's own filter that declares a query parameter named like the Idempotency-Key header on the job submission.</summary>
internal sealed class QueryKeyFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.RelativePath?.Trim('/') == "v1/echo" && context.ApiDescription.HttpMethod == "POST")
        {
            operation.Parameters = [new OpenApiParameter { Name = "Idempotency-Key", In = ParameterLocation.Query }];
        }
    }
}
