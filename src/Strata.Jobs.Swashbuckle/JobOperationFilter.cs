using Microsoft.OpenApi;
using Strata.Shared.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Strata.Jobs.Swashbuckle;

/// <summary>Describes each operation with <see cref="JobOperationDescriber"/>.</summary>
internal sealed class JobOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context) =>
        JobOperationDescriber.Describe(operation, context.Document, context.ApiDescription.ActionDescriptor.EndpointMetadata);
}
