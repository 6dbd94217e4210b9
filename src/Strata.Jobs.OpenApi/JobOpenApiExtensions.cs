using Microsoft.AspNetCore.OpenApi;
using Strata.Jobs.OpenApi;

// In the namespace of AddOpenApi, so the call inside AddOpenApi(options => ...) needs no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Describes the job endpoints of Strata.Jobs in documents produced by Microsoft.AspNetCore.OpenApi (.NET 10).</summary>
public static class JobOpenApiExtensions
{
    /// <summary>
    /// On every operation of a job endpoint (one mapped by <c>MapJobEndpoints</c>, or carrying a
    /// <c>JobEndpointMetadata</c>), declares what the endpoint sends beyond its status codes (those are in the endpoint's
    /// own metadata): on submit, the <c>Location</c> and <c>Retry-After</c> headers of 202 and the optional
    /// <c>Idempotency-Key</c> header parameter (at most 200 characters); on status, <c>Retry-After</c> while the job is
    /// not finished; on every 503, <c>Retry-After</c>; the ProblemDetails bodies as a schema with <c>traceId</c>; and the
    /// job status schema (<c>JobInfo</c>) as the endpoints write it: <c>state</c> a string of the <c>JobState</c> names,
    /// numbers never strings, <c>progress</c> from 0 to 100.
    /// Endpoints marked with <c>ExcludeFromJobDescription()</c> get none of it.
    /// </summary>
    /// <param name="options">The OpenAPI options.</param>
    /// <returns>The options.</returns>
    public static OpenApiOptions AddJobEndpointDescriptions(this OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddOperationTransformer(new JobOperationTransformer());
        options.AddSchemaTransformer(new JobSchemaTransformer());
        return options;
    }
}
