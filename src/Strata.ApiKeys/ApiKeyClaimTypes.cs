namespace Strata.ApiKeys;

/// <summary>
/// Claim types written on a successful API-key authentication. Other packages (for example a rate
/// limiter partitioning by key) read these by string, without referencing this package.
/// </summary>
public static class ApiKeyClaimTypes
{
    /// <summary>The key id: <c>"strata:apikey:id"</c>. Safe to log.</summary>
    public const string KeyId = "strata:apikey:id";

    /// <summary>The key owner: <c>"strata:apikey:owner"</c>.</summary>
    public const string Owner = "strata:apikey:owner";

    /// <summary>One claim per scope of the key: <c>"scope"</c>.</summary>
    public const string Scope = "scope";
}
