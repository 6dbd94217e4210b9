using Strata.RateLimiting.Internal;

namespace Microsoft.AspNetCore.Builder;

/// <summary>How the documentation packages describe an endpoint's rate limiting.</summary>
public static class RateLimitDescriptionEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Leaves the endpoint's operations as the endpoint itself describes them: the documentation packages
    /// (Strata.RateLimiting.OpenApi's <c>AddRateLimitDescriptions</c>, Strata.RateLimiting.Swashbuckle's) add no 429 or
    /// 503 answer and no rate-limit headers to them, although the policy still applies.
    /// (<c>ExcludeFromDescription()</c> leaves the whole endpoint out of the document.)
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <returns>The builder.</returns>
    public static TBuilder ExcludeFromRateLimitDescription<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint => endpoint.Metadata.Add(ExcludedFromRateLimitDescription.Instance));
        return builder;
    }
}
