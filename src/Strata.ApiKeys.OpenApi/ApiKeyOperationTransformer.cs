using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Strata.Shared.OpenApi;

namespace Strata.ApiKeys.OpenApi;

/// <summary>Describes each operation with <see cref="ApiKeyOperationDescriber"/>.</summary>
internal sealed class ApiKeyOperationTransformer(OpenApiOptions options, string schemeName) : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken) =>
        ApiKeyOperationDescriber.DescribeAsync(
            operation,
            context.Document!,
            context.Description.ActionDescriptor.EndpointMetadata,
            context.ApplicationServices,
            schemeName,

            // Read when the document is made, so a version set after AddApiKeySecurityScheme counts.
            scopesOnRequirement: options.OpenApiVersion != OpenApiSpecVersion.OpenApi3_0);
}
