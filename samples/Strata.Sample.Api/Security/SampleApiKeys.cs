using Strata.ApiKeys;

namespace Strata.Sample.Api.Security;

/// <summary>The sample's API-key settings (Strata.ApiKeys, wired up in <c>Program.cs</c>) and what endpoints read from a key.</summary>
internal static class SampleApiKeys
{
    /// <summary>The prefix of the sample's keys: <c>sk_sample_...</c>.</summary>
    public const string KeyPrefix = "sk_sample";

    /// <summary>
    /// The configuration section bound to <see cref="ApiKeysOptions"/>: <c>ApiKeys:Pepper</c> (keep it in a secret store or
    /// an environment variable, <c>ApiKeys__Pepper</c>; at least 32 characters; changing it invalidates every key),
    /// <c>ApiKeys:CacheDuration</c>, <c>ApiKeys:BruteForce:PermitFailures</c>, ...
    /// </summary>
    public const string SectionName = "ApiKeys";

    /// <summary>The id of the key that authenticated the request (the owner of its jobs and documents).</summary>
    public static string GetApiKeyId(this HttpContext context)
        => context.User.FindFirst(ApiKeyClaimTypes.KeyId)?.Value
           ?? throw new InvalidOperationException("The endpoint requires an API key but the request has none.");

    /// <summary>The plan of the key that authenticated the request (metadata <c>plan</c>), or null.</summary>
    public static string? GetApiKeyPlan(this HttpContext context)
        => context.Features.Get<IApiKeyFeature>()?.Record.Metadata.GetValueOrDefault(SampleScopes.PlanMetadata);
}
