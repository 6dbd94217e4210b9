using Strata.ApiKeys.Internal;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Scope requirements on endpoints, and how the documentation packages describe them.</summary>
public static class ApiKeyEndpointConventionBuilderExtensions
{
    /// <summary>Requires an authenticated caller holding every listed scope. A caller without one gets 403.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="scopes">The scopes, all required.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, params string[] scopes)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ApiKeyAuthorizationExtensions.ValidateScopes(scopes);
        var copy = (string[])scopes.Clone();
        return builder.RequireAuthorization(policy => policy.RequireScope(copy));
    }

    /// <summary>
    /// Leaves the endpoint's operations as the endpoint itself describes them: the documentation packages
    /// (Strata.ApiKeys.OpenApi's <c>AddApiKeySecurityScheme</c>, Strata.ApiKeys.Swashbuckle's) add no security
    /// requirement and no 401 or 403 answer to them, although authorization still applies.
    /// (<c>ExcludeFromDescription()</c> leaves the whole endpoint out of the document.)
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
