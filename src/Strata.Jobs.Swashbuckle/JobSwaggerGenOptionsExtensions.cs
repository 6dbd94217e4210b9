using Strata.Jobs.Swashbuckle;
using Strata.Shared.Swashbuckle;
using Swashbuckle.AspNetCore.SwaggerGen;

// In the namespace of AddSwaggerGen and Swashbuckle's own SwaggerGenOptions extensions, so no extra using is needed.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Describes the job endpoints of Strata.Jobs in documents produced by Swashbuckle.AspNetCore: 10 with
/// Strata.Jobs.Swashbuckle, 11 with Strata.Jobs.Swashbuckle11 (the same calls).
/// </summary>
public static class JobSwaggerGenOptionsExtensions
{
    /// <summary>
    /// On every operation of a job endpoint (one mapped by <c>MapJobEndpoints</c>, or carrying a
    /// <c>JobEndpointMetadata</c>), declares what the endpoint sends beyond its status codes (those are in the endpoint's
    /// own metadata): on submit, the <c>Location</c> and <c>Retry-After</c> headers of 202 and the optional
    /// <c>Idempotency-Key</c> header parameter (at most 200 characters); on status, <c>Retry-After</c> while the job is
    /// not finished; on every 503, <c>Retry-After</c>; the ProblemDetails bodies as a schema with <c>traceId</c>; and the
    /// job status schema's <c>state</c> as a string of the <c>JobState</c> names, as the endpoints write it.
    /// Endpoints marked with <c>ExcludeFromJobDescription()</c> get none of it. Calling it twice adds nothing more.
    /// </summary>
    /// <param name="options">The Swashbuckle generator options.</param>
    /// <returns>The options.</returns>
    /// <exception cref="InvalidOperationException">The app runs another Swashbuckle major than this package is built for; the message names the package that fits.</exception>
    public static SwaggerGenOptions AddJobEndpointDescriptions(this SwaggerGenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SwashbuckleMajor.EnsureSupported(typeof(JobOperationFilter).Assembly);
        if (!options.OperationFilterDescriptors.Any(d => d.Type == typeof(JobOperationFilter)))
        {
            options.OperationFilter<JobOperationFilter>();
            options.SchemaFilter<JobStateSchemaFilter>();
        }

        return options;
    }
}
