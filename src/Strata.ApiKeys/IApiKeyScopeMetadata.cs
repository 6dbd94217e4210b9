namespace Strata.ApiKeys;

/// <summary>
/// The scopes an endpoint requires, readable from its metadata: <c>RequireScope(...)</c> puts an authorization policy
/// holding this on the endpoint (in <c>AuthorizationPolicy.Requirements</c>), and <c>policy.RequireScope(...)</c> puts it
/// in the policy it builds. Documentation generators (Strata.ApiKeys.OpenApi, Strata.ApiKeys.Swashbuckle) read it to list
/// the scopes of an operation.
/// </summary>
public interface IApiKeyScopeMetadata
{
    /// <summary>The scopes, all required, without duplicates, in the order given.</summary>
    IReadOnlyList<string> Scopes { get; }
}
