namespace Microsoft.AspNetCore.Builder;

/// <summary>Scope requirements on endpoints.</summary>
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
}
