namespace Strata.ApiKeys.OpenApi;

/// <summary>Endpoint metadata: <c>AddApiKeySecurityScheme</c> leaves the operation as the endpoint describes it.</summary>
internal sealed class ExcludedFromApiKeyDescription
{
    public static readonly ExcludedFromApiKeyDescription Instance = new();
}
