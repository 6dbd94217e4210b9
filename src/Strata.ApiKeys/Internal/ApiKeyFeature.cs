namespace Strata.ApiKeys.Internal;

internal sealed class ApiKeyFeature(ApiKeyRecord record, string scheme) : IApiKeyFeature
{
    public ApiKeyRecord Record { get; } = record;

    public string Scheme { get; } = scheme;
}
