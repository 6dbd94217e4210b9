using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Strata.Shared.OpenApi;

namespace Strata.Jobs.OpenApi;

/// <summary>Describes each operation with <see cref="JobOperationDescriber"/>.</summary>
internal sealed class JobOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        JobOperationDescriber.Describe(operation, context.Document!, context.Description.ActionDescriptor.EndpointMetadata);
        return Task.CompletedTask;
    }
}
