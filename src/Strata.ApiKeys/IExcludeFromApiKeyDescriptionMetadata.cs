namespace Strata.ApiKeys;

/// <summary>
/// Endpoint metadata read by the documentation packages (Strata.ApiKeys.OpenApi, Strata.ApiKeys.Swashbuckle): when
/// <see cref="ExcludeFromApiKeyDescription"/> is <see langword="true"/>, they add no security requirement and no 401 or
/// 403 answer to the endpoint's operations. <c>ExcludeFromApiKeyDescription()</c> puts it on an endpoint or group.
/// </summary>
public interface IExcludeFromApiKeyDescriptionMetadata
{
    /// <summary>Whether the documentation packages leave the endpoint as it describes itself.</summary>
    bool ExcludeFromApiKeyDescription { get; }
}
