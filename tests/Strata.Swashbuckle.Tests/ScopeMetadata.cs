using Strata.ApiKeys;

namespace Strata.Swashbuckle.Tests;

/// <summary>Scopes an app declares on an endpoint by metadata of its own, beside its authorization policies.</summary>
internal sealed class ScopeMetadata(params string[] scopes) : IApiKeyScopeMetadata
{
    public IReadOnlyList<string> Scopes { get; } = scopes;
}
