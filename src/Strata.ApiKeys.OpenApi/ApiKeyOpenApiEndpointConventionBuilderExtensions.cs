using Strata.ApiKeys.OpenApi;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Per-endpoint settings of Strata.ApiKeys.OpenApi.</summary>
public static class ApiKeyOpenApiEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Leaves the endpoint's operations as the endpoint itself describes them: <c>AddApiKeySecurityScheme</c> adds no
    /// security requirement and no 401 or 403 answer to them. (<c>ExcludeFromDescription()</c> leaves the whole
    /// endpoint out of the document.)
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <returns>The builder.</returns>
    public static TBuilder ExcludeFromApiKeyDescription<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint => endpoint.Metadata.Add(ExcludedFromApiKeyDescription.Instance));
        return builder;
    }
}
