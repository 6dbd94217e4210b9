using Microsoft.AspNetCore.Authorization;
using Strata.ApiKeys.Internal;

// In Microsoft.AspNetCore.Builder (imported by every web project) rather than ...Authorization: Program.cs finds
// policy.RequireScope(...) without another using, beside the endpoint RequireScope<TBuilder>.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Scope requirements for authorization policies.</summary>
public static class ApiKeyAuthorizationExtensions
{
    /// <summary>
    /// Requires an authenticated user holding every listed scope (one <c>scope</c> claim per scope). When the API-key
    /// scheme answers the resulting 403, its ProblemDetails body names the missing scopes.
    /// </summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="scopes">The scopes, all required.</param>
    /// <returns>The policy builder.</returns>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder builder, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ValidateScopes(scopes);
        builder.RequireAuthenticatedUser();
        return builder.AddRequirements(new ScopeRequirement(scopes));
    }

    internal static void ValidateScopes(string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        if (scopes.Length == 0)
        {
            throw new ArgumentException("At least one scope is required.", nameof(scopes));
        }

        foreach (var scope in scopes)
        {
            if (string.IsNullOrWhiteSpace(scope))
            {
                throw new ArgumentException("Scopes must not be null or blank.", nameof(scopes));
            }
        }
    }
}
