using Strata.ApiKeys;
using Strata.Sample.Data;

namespace Strata.Sample.Api.Security;

/// <summary>API-key authentication (Strata.ApiKeys) with the keys stored in the sample's database.</summary>
internal static class SampleApiKeysExtensions
{
    /// <summary>The prefix of the sample's keys: <c>sk_sample_...</c>.</summary>
    public const string KeyPrefix = "sk_sample";

    public static WebApplicationBuilder AddSampleApiKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme)
            .AddApiKey(options => options.Prefix = KeyPrefix);   // read from the X-Api-Key header
        builder.Services.AddAuthorization();

        builder.Services.AddApiKeys()
            .AddEntityFrameworkStore<SampleDbContext>();      // the StrataApiKeys table of the sample database
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
