using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Strata.Jobs;
using Strata.Jobs.Internal;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the async request-reply endpoints of a job type.</summary>
public static class JobEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST {pattern}</c> (enqueue; 202 Accepted with <c>Location</c> and <c>Retry-After</c>),
    /// <c>GET {pattern}/{id}</c> (status, progress and the result when done) and <c>DELETE {pattern}/{id}</c>
    /// (cancel). A body that is not a valid <typeparamref name="TJob"/> (not JSON, a member of the wrong type, a
    /// required member missing or null) gets 400 ProblemDetails and nothing is enqueued, one larger than the server's
    /// request body limit 413; a job that is unknown or another owner's gets 404. Every status code each endpoint can
    /// send is in its metadata (<c>Produces</c>), with a <see cref="JobEndpointMetadata"/> for documentation generators.
    /// </summary>
    /// <typeparam name="TJob">A job type registered with <c>AddHandler</c> or <c>AddJob</c>.</typeparam>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="pattern">The route prefix, for example <c>"/jobs"</c>.</param>
    /// <param name="configure">Adjusts the endpoints' settings.</param>
    /// <returns>
    /// The three endpoints: conventions such as <c>RequireAuthorization</c> or <c>RequireRateLimiting</c> on it apply to
    /// all three; <see cref="JobEndpointsBuilder.Submit"/>, <see cref="JobEndpointsBuilder.Status"/> and
    /// <see cref="JobEndpointsBuilder.Cancel"/> take conventions of their own, which win over the shared ones.
    /// </returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="TJob"/> is not registered, or <c>AddStrataJobs</c> was not called.</exception>
    public static JobEndpointsBuilder MapJobEndpoints<TJob>(this IEndpointRouteBuilder endpoints, string pattern, Action<JobEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        var tag = typeof(TJob).Name;

        // Fails at start-up, not on the first request, when AddStrataJobs was not called or the job type was never registered.
        var registry = JobsServices.GetRegistry(endpoints.ServiceProvider, $"MapJobEndpoints<{tag}>()", tag);
        var registration = registry.Get<TJob>();
        var options = new JobEndpointOptions();
        configure?.Invoke(options);
        var handlers = new JobEndpointHandlers<TJob>(options, JobBodyReader<TJob>.Create(registration, registry.SerializerOptions, options.ValidateRequiredMembers));

        var group = endpoints.MapGroup(pattern);
        var submit = group.MapPost(string.Empty, (Func<HttpContext, Task<IResult>>)handlers.Post)
            .Accepts(typeof(TJob), "application/json")
            .Produces<JobInfo>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithMetadata(new JobEndpointMetadata(JobEndpointKind.Submit, options.IdempotencyKeyHeader))
            .WithSummary($"Enqueue a {tag} job")
            .WithTags(tag);
        var status = group.MapGet("/{id}", (Func<HttpContext, string, Task<IResult>>)handlers.Get)
            .Produces<JobInfo>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithMetadata(new JobEndpointMetadata(JobEndpointKind.Status))
            .WithSummary($"Get the status of a {tag} job")
            .WithTags(tag);
        var cancel = group.MapDelete("/{id}", (Func<HttpContext, string, Task<IResult>>)handlers.Delete)
            .Produces<JobInfo>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithMetadata(new JobEndpointMetadata(JobEndpointKind.Cancel))
            .WithSummary($"Cancel a {tag} job")
            .WithTags(tag);
        return new JobEndpointsBuilder(group, submit, status, cancel);
    }
}
