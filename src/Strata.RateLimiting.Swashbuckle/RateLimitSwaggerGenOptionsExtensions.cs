using Strata.RateLimiting.Swashbuckle;
using Strata.Shared.Swashbuckle;
using Swashbuckle.AspNetCore.SwaggerGen;

// In the namespace of AddSwaggerGen and Swashbuckle's own SwaggerGenOptions extensions, so no extra using is needed.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Describes Strata.RateLimiting in documents produced by Swashbuckle.AspNetCore: 10 with Strata.RateLimiting.Swashbuckle,
/// 11 with Strata.RateLimiting.Swashbuckle11 (the same calls).
/// </summary>
public static class RateLimitSwaggerGenOptionsExtensions
{
    /// <summary>
    /// On every operation whose endpoint is limited by a Strata policy (<c>RequireRateLimiting(name)</c> naming a policy
    /// added with <c>AddGcraPolicy</c> or another <c>Add...Policy</c>), declares what the policy answers: <c>429</c> with
    /// <c>Retry-After</c>, <c>RateLimit</c>, <c>RateLimit-Policy</c> and the ProblemDetails body (<c>retryAfter</c>,
    /// <c>policy</c>, <c>violated-policies</c>), the policy's limits in its description; <c>503</c> when the policy fails
    /// closed; and the <c>RateLimit</c> and <c>RateLimit-Policy</c> headers on the operation's other answers (the
    /// <c>X-RateLimit-*</c> ones too when <c>EmitLegacyHeaders</c> is on). Shadow-mode policies, endpoints with
    /// <c>DisableRateLimiting()</c> and endpoints marked with <c>ExcludeFromRateLimitDescription()</c> get none of it.
    /// Calling it twice adds nothing more.
    /// </summary>
    /// <param name="options">The Swashbuckle generator options.</param>
    /// <returns>The options.</returns>
    /// <exception cref="InvalidOperationException">The app runs another Swashbuckle major than this package is built for; the message names the package that fits.</exception>
    public static SwaggerGenOptions AddRateLimitDescriptions(this SwaggerGenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SwashbuckleMajor.EnsureSupported(typeof(RateLimitOperationFilter).Assembly);
        if (!options.OperationFilterDescriptors.Any(d => d.Type == typeof(RateLimitOperationFilter)))
        {
            options.OperationFilter<RateLimitOperationFilter>();
        }

        return options;
    }
}
