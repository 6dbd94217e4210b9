using Strata.Jobs;

namespace Microsoft.AspNetCore.Builder;

/// <summary>How the documentation packages describe job endpoints.</summary>
public static class JobDescriptionEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Leaves the endpoint's operations as the endpoint itself describes them (its status codes and bodies): the
    /// documentation packages (Strata.Jobs.OpenApi's <c>AddJobEndpointDescriptions</c>, Strata.Jobs.Swashbuckle's) add
    /// no headers and no parameter to them. On the builder <c>MapJobEndpoints</c> returns it applies to all three
    /// endpoints; on <c>Submit</c>, <c>Status</c> or <c>Cancel</c> to that one.
    /// (<c>ExcludeFromDescription()</c> leaves the whole endpoint out of the document.)
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint convention builder.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <returns>The builder.</returns>
    public static TBuilder ExcludeFromJobDescription<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint => endpoint.Metadata.Add(ExcludedFromJobDescription.Instance));
        return builder;
    }
}
