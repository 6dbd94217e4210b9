using Microsoft.AspNetCore.OpenApi;
using Strata.RateLimiting.OpenApi;

// In the namespace of AddOpenApi, so the call inside AddOpenApi(options => ...) needs no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Describes Strata.RateLimiting in documents produced by Microsoft.AspNetCore.OpenApi (.NET 10).</summary>
public static class RateLimitOpenApiExtensions
{
    /// <summary>
    /// On every operation whose endpoint is limited by a Strata policy (<c>RequireRateLimiting(name)</c> naming a policy
    /// added with <c>AddGcraPolicy</c> or another <c>Add...Policy</c>), declares what the policy answers: <c>429</c> with
    /// <c>Retry-After</c>, <c>RateLimit</c>, <c>RateLimit-Policy</c> and the ProblemDetails body (<c>retryAfter</c>,
    /// <c>policy</c>, <c>violated-policies</c>), the policy's limits in its description; <c>503</c> when the policy fails
    /// closed; and the <c>RateLimit</c> and <c>RateLimit-Policy</c> headers on the operation's other answers (the
    /// <c>X-RateLimit-*</c> ones too when <c>EmitLegacyHeaders</c> is on). Shadow-mode policies, endpoints with
    /// <c>DisableRateLimiting()</c> and endpoints marked with <c>ExcludeFromRateLimitDescription()</c> get none of it.
    /// </summary>
    /// <param name="options">The OpenAPI options.</param>
    /// <returns>The options.</returns>
    public static OpenApiOptions AddRateLimitDescriptions(this OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddOperationTransformer(new RateLimitOperationTransformer());
        return options;
    }
}
