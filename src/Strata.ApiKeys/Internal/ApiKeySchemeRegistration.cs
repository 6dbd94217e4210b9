namespace Strata.ApiKeys.Internal;

/// <summary>
/// Registered once per <c>AddApiKey(...)</c> call, so the key manager knows which API-key schemes exist (and so which
/// prefixes they accept) without depending on the authentication services.
/// </summary>
internal sealed class ApiKeySchemeRegistration(string name)
{
    public string Name { get; } = name;
}
