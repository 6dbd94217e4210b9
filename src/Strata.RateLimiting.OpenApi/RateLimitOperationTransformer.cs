using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Strata.Shared.OpenApi;

namespace Strata.RateLimiting.OpenApi;

/// <summary>Describes each operation with <see cref="RateLimitOperationDescriber"/>.</summary>
internal sealed class RateLimitOperationTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        RateLimitOperationDescriber.Describe(operation, context.Document!, context.Description.ActionDescriptor.EndpointMetadata, context.ApplicationServices);
        return Task.CompletedTask;
    }
}
