using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// Every listed scope required (one <c>scope</c> claim per scope), as <c>RequireClaim("scope", s)</c> per scope did, and
/// its own handler (ASP.NET Core's pass-through handler runs it; nothing to register). When scopes are missing it
/// notes them on the request (<see cref="MissingScopes"/>), so the 403 can name them.
/// </summary>
internal sealed class ScopeRequirement : AuthorizationHandler<ScopeRequirement>, IAuthorizationRequirement, IApiKeyScopeMetadata
{
    public ScopeRequirement(IEnumerable<string> scopes)
    {
        Scopes = scopes.Distinct(StringComparer.Ordinal).ToArray();
    }

    public IReadOnlyList<string> Scopes { get; }

    public override string ToString() => $"{nameof(ScopeRequirement)}: the {ApiKeyClaimTypes.Scope} claims {string.Join(", ", Scopes)}";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        List<string>? missing = null;
        foreach (var scope in requirement.Scopes)
        {
            if (!context.User.HasClaim(ApiKeyClaimTypes.Scope, scope))
            {
                (missing ??= []).Add(scope);
            }
        }

        if (missing is null)
        {
            context.Succeed(requirement);
        }
        else if (context.Resource is HttpContext http)
        {
            MissingScopes.Note(http, requirement.Scopes, missing);
        }

        return Task.CompletedTask;
    }
}
