using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Strata.Swashbuckle.Tests;

/// <summary>An app's own filter, registered before Strata's, that removes every response of the job operations.</summary>
internal sealed class ResponselessFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.RelativePath?.StartsWith("v1/echo", StringComparison.Ordinal) == true)
        {
            operation.Responses = null;
        }
    }
}
