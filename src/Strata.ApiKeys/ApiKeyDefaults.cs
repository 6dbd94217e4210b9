namespace Strata.ApiKeys;

/// <summary>Default values used by the API-key authentication scheme.</summary>
public static class ApiKeyDefaults
{
    /// <summary>The default authentication scheme name: <c>"ApiKey"</c>.</summary>
    public const string AuthenticationScheme = "ApiKey";

    /// <summary>The default header the key is read from: <c>"X-Api-Key"</c>.</summary>
    public const string HeaderName = "X-Api-Key";

    /// <summary>The default key prefix: <c>"sk"</c>.</summary>
    public const string Prefix = "sk";

    /// <summary>The authorization scheme word for <c>Authorization: ApiKey &lt;key&gt;</c>, and the <c>WWW-Authenticate</c> challenge.</summary>
    public const string AuthorizationScheme = "ApiKey";
}
