using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Strata.Shared.OpenApi;

namespace Strata.ApiKeys.OpenApi;

/// <summary>Describes each operation with <see cref="ApiKeyOperationDescriber"/>.</summary>
internal sealed class ApiKeyOperationTransformer(OpenApiOptions options, string schemeName) : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (!ApiKeyOperationDescriber.Applies(metadata))
        {
            return;
        }

        var scopes = await ApiKeyOperationDescriber.ScopesAsync(metadata, context.ApplicationServices).ConfigureAwait(false);
        ApiKeyOperationDescriber.Describe(
            operation,
            context.Document!,
            scopes,
            context.ApplicationServices,
            schemeName,

            // Read when the document is made, so a version set after AddApiKeySecurityScheme counts.
            scopesOnRequirement: options.OpenApiVersion != OpenApiSpecVersion.OpenApi3_0);
    }
}
