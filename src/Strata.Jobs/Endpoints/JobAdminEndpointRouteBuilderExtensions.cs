using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Strata.Jobs;
using Strata.Jobs.Internal;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the job system's operations endpoints: find, requeue and delete jobs, count them, pause queues.</summary>
public static class JobAdminEndpointRouteBuilderExtensions
{
    /// <summary>The OpenAPI tag of every admin endpoint.</summary>
    private const string Tag = "Job administration";

    /// <summary>
    /// Maps the operations endpoints of <see cref="IJobAdmin"/> under <paramref name="prefix"/>, all JSON, every error
    /// a ProblemDetails (400 for a bad filter, cursor or limit, naming the parameter; 404 for an unknown job or queue;
    /// 409 for a job in the wrong state; 503 while the store cannot be reached):
    /// <c>GET {prefix}</c> (search, newest first, cursor paging), <c>GET {prefix}/counts</c>, <c>GET {prefix}/queues</c>,
    /// <c>GET {prefix}/{id}</c>, <c>POST {prefix}/{id}/requeue</c>, <c>DELETE {prefix}/{id}</c>,
    /// <c>POST {prefix}/requeue</c> and <c>POST {prefix}/delete</c> (or <c>DELETE {prefix}</c>) with a filter in the
    /// query string, and <c>POST {prefix}/queues/{queue}/pause</c> and <c>/resume</c>. Jobs are shown with their owner.
    /// </summary>
    /// <remarks>
    /// The endpoints require authorization: the group carries <c>RequireAuthorization()</c> (the default policy, an
    /// authenticated user), so it is never open by accident. Add a stricter policy on the returned group:
    /// <c>app.MapJobAdminEndpoints("/admin/jobs").RequireAuthorization("admin")</c>; both must pass. Map it once per
    /// application: the endpoints have fixed names (<c>StrataJobs.Admin.*</c>) for links and OpenAPI operation ids.
    /// </remarks>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="prefix">The route prefix, for example <c>"/admin/jobs"</c>.</param>
    /// <returns>The group of endpoints, for further conventions (a policy, rate limiting, OpenAPI tags).</returns>
    /// <exception cref="InvalidOperationException"><c>AddStrataJobs</c> was not called.</exception>
    public static RouteGroupBuilder MapJobAdminEndpoints(this IEndpointRouteBuilder endpoints, string prefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);

        // Fails at start-up, not on the first request, when AddStrataJobs was not called.
        var services = endpoints.ServiceProvider;
        JobsServices.GetBackend(services, "MapJobAdminEndpoints()");
        var queues = services.GetRequiredService<IOptions<JobsOptions>>().Value.GetEffectiveQueues().Select(q => q.Name).ToArray();
        var handlers = new AdminEndpointHandlers(queues);

        var group = endpoints.MapGroup(prefix);
        group.RequireAuthorization();
        group.WithMetadata(new JobEndpointMetadata(JobEndpointKind.Admin));   // for Strata.Jobs.OpenApi and .Swashbuckle
        group.WithTags(Tag);

        Describe(group.MapGet(string.Empty, ([AsParameters] AdminSearchQuery query, HttpContext context) => handlers.Search(context, query)),
                "Search", "Find jobs", "Jobs matching the filter, newest first, one page at a time: pass nextCursor as cursor for the next page.")
            .Produces<AdminJobPage>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        Describe(group.MapGet("/counts", (Func<HttpContext, Task<IResult>>)handlers.Counts),
                "Counts", "Count jobs per queue and state", "Every configured queue and every state, zeros included.")
            .Produces<AdminStateCount[]>(StatusCodes.Status200OK);

        Describe(group.MapGet("/queues", (Func<HttpContext, Task<IResult>>)handlers.Queues),
                "Queues", "List the queues", "Every configured queue with its pause flag, jobs per state and the oldest waiting job's enqueue time.")
            .Produces<AdminQueueView[]>(StatusCodes.Status200OK);

        Describe(group.MapGet("/{id}", (Func<HttpContext, string, Task<IResult>>)handlers.Get),
                "Get", "Get a job", "One job, with its owner, attempts and last error.")
            .Produces<AdminJobView>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);

        Describe(group.MapPost("/{id}/requeue", (Func<HttpContext, string, Task<IResult>>)handlers.Requeue),
                "Requeue", "Requeue a dead job", "Runs a dead job again with a fresh set of attempts; 409 when the job is not dead.")
            .Produces<AdminJobView>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        Describe(group.MapDelete("/{id}", (Func<HttpContext, string, Task<IResult>>)handlers.Delete),
                "Delete", "Delete a finished job", "Forgets a succeeded, dead or cancelled job now; 409 when the job has not finished.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        Describe(group.MapPost("/requeue", ([AsParameters] AdminFilterQuery query, HttpContext context) => handlers.RequeueMany(context, query)),
                "RequeueMany", "Requeue dead jobs in bulk", "Requeues every dead job matching the filter (state, when given, must be Dead); safe to repeat. Answers how many were requeued.")
            .Produces<AdminCountResult>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        Describe(group.MapPost("/delete", ([AsParameters] AdminFilterQuery query, HttpContext context) => handlers.DeleteMany(context, query)),
                "DeleteMany", "Delete finished jobs in bulk", "Forgets every finished job matching the filter (state, when given, must be Succeeded, Dead or Cancelled); safe to repeat. Answers how many were deleted.")
            .Produces<AdminCountResult>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        Describe(group.MapDelete(string.Empty, ([AsParameters] AdminFilterQuery query, HttpContext context) => handlers.DeleteMany(context, query)),
                "DeleteManyByDelete", "Delete finished jobs in bulk (DELETE)", "The same as POST {prefix}/delete.")
            .Produces<AdminCountResult>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        Describe(group.MapPost("/queues/{queue}/pause", (Func<HttpContext, string, Task<IResult>>)handlers.Pause),
                "PauseQueue", "Pause a queue", "Workers on every host stop taking jobs from the queue within a second; running jobs finish; enqueueing still works.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);

        Describe(group.MapPost("/queues/{queue}/resume", (Func<HttpContext, string, Task<IResult>>)handlers.Resume),
                "ResumeQueue", "Resume a queue", "Workers on every host take jobs from the queue again.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);

        RecurringJobAdminRoutes.Map(group);
        return group;
    }

    /// <summary>The metadata every admin endpoint shares (the recurring-job routes too): name, summary, and the 401, 403 and 503 it can send.</summary>
    internal static RouteHandlerBuilder Describe(RouteHandlerBuilder endpoint, string name, string summary, string description) =>
        endpoint
            .WithName("StrataJobs.Admin." + name)
            .WithSummary(summary)
            .WithDescription(description)
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
