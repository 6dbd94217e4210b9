using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Strata.Shared.OpenApi;
using Swashbuckle.AspNetCore.Swagger;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Strata.ApiKeys.Swashbuckle;

/// <summary>
/// Describes each operation with <see cref="ApiKeyOperationDescriber"/>. A synchronous filter, because Swashbuckle's
/// synchronous <c>ISwaggerProvider.GetSwagger</c> (its CLI, a document written at build time) runs no asynchronous ones.
/// </summary>
internal sealed class ApiKeyOperationFilter(IServiceProvider services, string schemeName) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (!ApiKeyOperationDescriber.Applies(metadata))
        {
            return;
        }

        ApiKeyOperationDescriber.Describe(operation, context.Document, Scopes(metadata), services, schemeName, ScopesOnRequirement());
    }

    /// <summary>
    /// The endpoint's scopes, named policies included. The framework's policy provider answers at once (a completed task,
    /// so nothing blocks here); a provider that does not gets the scopes of the endpoint's own policies only.
    /// </summary>
    private IReadOnlyList<string> Scopes(IList<object> metadata)
    {
        var scopes = ApiKeyOperationDescriber.ScopesAsync(metadata, services);
        return scopes.IsCompletedSuccessfully ? scopes.Result : ApiKeyOperationDescriber.EndpointScopes(metadata);
    }

    /// <summary>
    /// Scopes on an <c>apiKey</c> requirement are allowed from OpenAPI 3.1 on. Swashbuckle writes 3.0 unless
    /// <see cref="SwaggerOptions.OpenApiVersion"/> in the app's options says otherwise.
    /// </summary>
    private bool ScopesOnRequirement() =>
        services.GetService<IOptions<SwaggerOptions>>()?.Value.OpenApiVersion is { } version
        && version != OpenApiSpecVersion.OpenApi2_0
        && version != OpenApiSpecVersion.OpenApi3_0;
}
