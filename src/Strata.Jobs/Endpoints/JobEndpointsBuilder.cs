using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The endpoints of one job type, returned by <c>MapJobEndpoints</c>. A convention added here (authorization, rate
/// limiting, metadata) applies to all three endpoints; a convention added to <see cref="Submit"/>,
/// <see cref="Status"/> or <see cref="Cancel"/> applies to that endpoint alone and runs after the shared ones, so
/// it wins where only one can hold (for example the rate-limiting policy):
/// <code>
/// var jobs = app.MapJobEndpoints&lt;AnalyzeDocument&gt;("/v1/jobs").RequireAuthorization();
/// jobs.Submit.RequireRateLimiting("submit");
/// jobs.Status.RequireRateLimiting("poll");
/// </code>
/// </summary>
public sealed class JobEndpointsBuilder : IEndpointConventionBuilder
{
    private readonly IEndpointConventionBuilder _all;

    internal JobEndpointsBuilder(RouteGroupBuilder all, RouteHandlerBuilder submit, RouteHandlerBuilder status, RouteHandlerBuilder cancel)
    {
        _all = all;
        Submit = submit;
        Status = status;
        Cancel = cancel;
    }

    /// <summary>The <c>POST {pattern}</c> endpoint that enqueues a job and answers 202 Accepted.</summary>
    public RouteHandlerBuilder Submit { get; }

    /// <summary>The <c>GET {pattern}/{id}</c> endpoint that callers poll for a job's status and result.</summary>
    public RouteHandlerBuilder Status { get; }

    /// <summary>The <c>DELETE {pattern}/{id}</c> endpoint that cancels a job.</summary>
    public RouteHandlerBuilder Cancel { get; }

    /// <summary>Adds a convention to all three endpoints.</summary>
    /// <param name="convention">The convention.</param>
    public void Add(Action<EndpointBuilder> convention) => _all.Add(convention);

    /// <summary>Adds a convention that runs on all three endpoints after every other convention.</summary>
    /// <param name="finallyConvention">The convention.</param>
    public void Finally(Action<EndpointBuilder> finallyConvention) => _all.Finally(finallyConvention);
}
