using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Strata.RateLimiting;
using Strata.Sample.Api.Hosting;
using Strata.Sample.Api.Security;

namespace Strata.Sample.Api.RateLimits;

/// <summary>
/// Rate limits per API key (Strata.RateLimiting): a GCRA request limit on every <c>/v1</c> route and a token budget on
/// <c>/v1/analyze</c>. Both take their limit from the key's plan (key metadata <c>plan</c> = a tier under
/// <c>RateLimiting:Policies:{policy}:Tiers</c>), else from <c>Api:RequestsPerMinute</c> / <c>Api:TokensPerMinute</c>.
/// In role all the counts live in this process; in the api role in Redis (<c>AddRedisRateLimiting</c>, see
/// <see cref="SampleRedisExtensions"/>), so every API node shares one limit per key. When Redis cannot decide, each
/// policy follows its failure mode (<see cref="SampleFailureModes"/>, <c>RateLimiting:Policies:{policy}:FailureMode</c>).
/// </summary>
internal static class SampleRateLimitsExtensions
{
    public const string PerKeyPolicy = "per-key";
    public const string TokensPolicy = "tokens";

    public static WebApplicationBuilder AddSampleRateLimits(this WebApplicationBuilder builder)
    {
        var failureModes = SampleFailureModes.From(builder.Configuration);
        builder.Services.AddSingleton(failureModes);
        builder.Services.AddStrataRateLimiting();
        builder.Services.Configure<StrataRateLimitingOptions>(builder.Configuration.GetSection("RateLimiting"));

        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<SampleApiOptions>>((options, api) => options.AddGcraPolicy(
                PerKeyPolicy,
                RatePartition.ByApiKey,
                limit: api.Value.RequestsPerMinute,
                period: TimeSpan.FromMinutes(1),
                policy =>
                {
                    policy.TierSelector = context => context.GetApiKeyPlan();
                    policy.FailureMode = failureModes.PerKey;
                }));

        builder.Services.AddSingleton<TokenBudget>();
        return builder;
    }
}
