using Strata.ApiKeys;
using Strata.Sample.Data;

namespace Strata.Sample.Api.Security;

/// <summary>API-key authentication (Strata.ApiKeys) with the keys stored in the sample's database.</summary>
internal static class SampleApiKeysExtensions
{
    /// <summary>The prefix of the sample's keys: <c>sk_sample_...</c>.</summary>
    public const string KeyPrefix = "sk_sample";

    /// <summary>
    /// The configuration section bound to <see cref="ApiKeysOptions"/>: <c>ApiKeys:Pepper</c> (keep it in a secret store or
    /// an environment variable, <c>ApiKeys__Pepper</c>; at least 32 characters; changing it invalidates every key),
    /// <c>ApiKeys:CacheDuration</c>, <c>ApiKeys:BruteForce:PermitFailures</c>, ...
    /// </summary>
    public const string SectionName = "ApiKeys";

    public static WebApplicationBuilder AddSampleApiKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme)
            .AddApiKey(options => options.Prefix = KeyPrefix);   // read from the X-Api-Key header
        builder.Services.AddAuthorization();

        builder.Services.AddApiKeys()
            .AddEntityFrameworkStore<SampleDbContext>();      // the StrataApiKeys table of the sample database
        builder.Services.Configure<ApiKeysOptions>(builder.Configuration.GetSection(SectionName));
        builder.Logging.KeepKeysOutOfKestrelLogs();
        return builder;
    }

    /// <summary>The id of the key that authenticated the request (the owner of its jobs and documents).</summary>
    public static string GetApiKeyId(this HttpContext context)
        => context.User.FindFirst(ApiKeyClaimTypes.KeyId)?.Value
           ?? throw new InvalidOperationException("The endpoint requires an API key but the request has none.");

    /// <summary>The plan of the key that authenticated the request (metadata <c>plan</c>), or null.</summary>
    public static string? GetApiKeyPlan(this HttpContext context)
        => context.Features.Get<IApiKeyFeature>()?.Record.Metadata.GetValueOrDefault(SampleScopes.PlanMetadata);
}
