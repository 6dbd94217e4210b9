using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Internal;

namespace Strata.Jobs;

/// <summary>
/// The recurring-job routes of the admin endpoints, mapped under the admin group: <c>GET recurring</c>,
/// <c>GET recurring/{name}</c>, <c>POST recurring/{name}/pause</c>, <c>/resume</c> and <c>/trigger</c>, and
/// <c>DELETE recurring/{name}</c>. An unknown name gets 404 ProblemDetails, a failing backend 503; the trigger answers
/// 202 with the new job's status and a <c>Location</c> at <c>{group}/{id}</c> (the admin endpoints' job status).
/// </summary>
internal static class RecurringJobAdminRoutes
{
    public static void Map(RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        JobAdminEndpointRouteBuilderExtensions.Describe(group.MapGet("recurring", (Func<HttpContext, Task<IResult>>)ListAsync),
                "ListRecurringJobs", "List the recurring jobs", "Every recurring job, by name, with its cron expression, time zone, pause flag, next run, last run and last job.")
            .Produces<IReadOnlyList<RecurringJobInfo>>(StatusCodes.Status200OK);
        JobAdminEndpointRouteBuilderExtensions.Describe(group.MapGet("recurring/{name}", (Func<HttpContext, string, Task<IResult>>)GetAsync),
                "GetRecurringJob", "Get a recurring job", "One recurring job with its next run, last run and last job; 404 when no schedule has that name.")
            .Produces<RecurringJobInfo>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);
        JobAdminEndpointRouteBuilderExtensions.Describe(group.MapPost("recurring/{name}/pause", (Func<HttpContext, string, Task<IResult>>)PauseAsync),
                "PauseRecurringJob", "Pause a recurring job", "No occurrence fires, on any host, until it is resumed; answers the schedule as it is now (no next run).")
            .Produces<RecurringJobInfo>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);
        JobAdminEndpointRouteBuilderExtensions.Describe(group.MapPost("recurring/{name}/resume", (Func<HttpContext, string, Task<IResult>>)ResumeAsync),
                "ResumeRecurringJob", "Resume a recurring job", "Resumes from the next occurrence after now (those that fell in the pause are not fired); answers the schedule as it is now.")
            .Produces<RecurringJobInfo>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status404NotFound);
        JobAdminEndpointRouteBuilderExtensions.Describe(group.MapPost("recurring/{name}/trigger", (Func<HttpContext, string, Task<IResult>>)TriggerAsync),
                "TriggerRecurringJob", "Trigger a recurring job now", "Enqueues the schedule's job once, now, also when paused: 202 with the job's status and its Location; 409 when this host cannot enqueue it (its queue is not configured here).")
            .Produces<JobInfo>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        JobAdminEndpointRouteBuilderExtensions.Describe(group.MapDelete("recurring/{name}", (Func<HttpContext, string, Task<IResult>>)RemoveAsync),
                "RemoveRecurringJob", "Remove a recurring job", "Deletes the schedule; the jobs it enqueued are kept. A schedule registered in code is written again at the next start.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static Task<IResult> ListAsync(HttpContext context) => GuardAsync(context, static async (context, recurring) =>
    {
        var all = await recurring.ListAsync(context.RequestAborted).ConfigureAwait(false);
        return Results.Json(all, RecurringJsonContext.Default.IReadOnlyListRecurringJobInfo);
    });

    private static Task<IResult> GetAsync(HttpContext context, string name) => GuardAsync(context, async (context, recurring) =>
        await recurring.GetAsync(name, context.RequestAborted).ConfigureAwait(false) is { } info ? Json(info) : NotFound(name));

    private static Task<IResult> PauseAsync(HttpContext context, string name) => GuardAsync(context, async (context, recurring) =>
        await recurring.PauseAsync(name, context.RequestAborted).ConfigureAwait(false) ? await CurrentAsync(context, recurring, name).ConfigureAwait(false) : NotFound(name));

    private static Task<IResult> ResumeAsync(HttpContext context, string name) => GuardAsync(context, async (context, recurring) =>
        await recurring.ResumeAsync(name, context.RequestAborted).ConfigureAwait(false) ? await CurrentAsync(context, recurring, name).ConfigureAwait(false) : NotFound(name));

    private static Task<IResult> RemoveAsync(HttpContext context, string name) => GuardAsync(context, async (context, recurring) =>
        await recurring.RemoveAsync(name, context.RequestAborted).ConfigureAwait(false) ? Results.NoContent() : NotFound(name));

    private static Task<IResult> TriggerAsync(HttpContext context, string name) => GuardAsync(context, async (context, recurring) =>
    {
        string? jobId;
        try
        {
            jobId = await recurring.TriggerAsync(name, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            // The schedule names a queue this host does not configure (it was added on another host).
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Recurring job cannot be triggered here", detail: ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            context.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Queue full", detail: ex.Message);
        }

        if (jobId is null)
        {
            return NotFound(name);
        }

        // The job's status is the admin group's GET {id}, beside the recurring routes; a name never holds a '/'.
        var path = $"{context.Request.PathBase}{context.Request.Path}";
        var group = path[..path.LastIndexOf("/recurring/", StringComparison.Ordinal)];
        var location = $"{group}/{Uri.EscapeDataString(jobId)}";
        var info = await context.RequestServices.GetRequiredService<IJobStore>().GetAsync(jobId, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.Location = location;
        return info is null ? Results.Accepted(location) : Results.Json(info, JobsJsonContext.Default.JobInfo, statusCode: StatusCodes.Status202Accepted);
    });

    private static async Task<IResult> CurrentAsync(HttpContext context, IRecurringJobs recurring, string name) =>
        await recurring.GetAsync(name, context.RequestAborted).ConfigureAwait(false) is { } info ? Json(info) : NotFound(name);

    /// <summary>Turns a failure of the backend into 503 ProblemDetails instead of a 500.</summary>
    private static async Task<IResult> GuardAsync(HttpContext context, Func<HttpContext, IRecurringJobs, Task<IResult>> handle)
    {
        var recurring = context.RequestServices.GetRequiredService<IRecurringJobs>();
        try
        {
            return await handle(context, recurring).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or ArgumentException or InvalidOperationException))
        {
            StoreFailureLog.Write(context, ex);

            context.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: StoreFailureLog.UnavailableTitle, detail: StoreFailureLog.UnavailableDetail);
        }
    }

    private static IResult Json(RecurringJobInfo info) => Results.Json(info, RecurringJsonContext.Default.RecurringJobInfo);

    private static IResult NotFound(string name) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Recurring job not found", detail: $"No recurring job is named '{name}'.");
}
