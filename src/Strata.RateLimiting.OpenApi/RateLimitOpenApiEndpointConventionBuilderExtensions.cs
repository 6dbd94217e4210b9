using Strata.RateLimiting.OpenApi;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Per-endpoint settings of Strata.RateLimiting.OpenApi.</summary>
public static class RateLimitOpenApiEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Leaves the endpoint's operations as the endpoint itself describes them: <c>AddRateLimitDescriptions</c> adds no
    /// 429 or 503 answer and no rate-limit headers to them, although the policy still applies.
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
