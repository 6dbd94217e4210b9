using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Jobs;

/// <summary>
/// The admin endpoints' handlers: read the query, call <see cref="IJobAdmin"/> (or <see cref="IJobStore"/> and
/// <see cref="IJobQueue"/> for one job), and answer JSON or ProblemDetails. Bad input is a 400 naming the parameter;
/// an unknown job or queue a 404; a store that cannot be reached a 503 with <c>Retry-After</c>; never a 500.
/// </summary>
internal sealed class AdminEndpointHandlers(IReadOnlyList<string> queues)
{
    private const int RetryAfterSeconds = 5;

    private readonly HashSet<string> _queues = new(queues, StringComparer.Ordinal);

    public Task<IResult> Search(HttpContext context, AdminSearchQuery query) => GuardAsync(context, SearchAsync(context, query));

    public Task<IResult> Counts(HttpContext context) => GuardAsync(context, CountsAsync(context));

    public Task<IResult> Queues(HttpContext context) => GuardAsync(context, QueuesAsync(context));

    public Task<IResult> Get(HttpContext context, string id) => GuardAsync(context, GetAsync(context, id));

    public Task<IResult> Requeue(HttpContext context, string id) => GuardAsync(context, RequeueAsync(context, id));

    public Task<IResult> Delete(HttpContext context, string id) => GuardAsync(context, DeleteAsync(context, id));

    public Task<IResult> RequeueMany(HttpContext context, AdminFilterQuery query) => GuardAsync(context, RequeueManyAsync(context, query));

    public Task<IResult> DeleteMany(HttpContext context, AdminFilterQuery query) => GuardAsync(context, DeleteManyAsync(context, query));

    public Task<IResult> Pause(HttpContext context, string queue) => GuardAsync(context, SetPausedAsync(context, queue, paused: true));

    public Task<IResult> Resume(HttpContext context, string queue) => GuardAsync(context, SetPausedAsync(context, queue, paused: false));

    private static async Task<IResult> SearchAsync(HttpContext context, AdminSearchQuery query)
    {
        var (filter, error) = AdminQueryParser.ReadFilter(query.Filter);
        var (limit, limitError) = AdminQueryParser.ReadLimit(query.Limit);
        if ((error ?? limitError) is { } problem)
        {
            return BadRequest(problem);
        }

        var cursor = string.IsNullOrEmpty(query.Cursor) ? null : query.Cursor;
        var page = await Admin(context).SearchAsync(filter, cursor, limit, context.RequestAborted).ConfigureAwait(false);
        var jobs = new AdminJobView[page.Jobs.Count];
        for (var i = 0; i < jobs.Length; i++)
        {
            jobs[i] = AdminJobView.From(page.Jobs[i]);
        }

        return Results.Json(new AdminJobPage(jobs, page.NextCursor), AdminJsonContext.Default.AdminJobPage);
    }

    private static async Task<IResult> CountsAsync(HttpContext context)
    {
        var counts = await Admin(context).CountAsync(context.RequestAborted).ConfigureAwait(false);
        var result = counts.Select(c => new AdminStateCount(c.Queue, c.State, c.Count)).ToArray();
        return Results.Json(result, AdminJsonContext.Default.AdminStateCountArray);
    }

    private static async Task<IResult> QueuesAsync(HttpContext context)
    {
        var queues = await Admin(context).GetQueuesAsync(context.RequestAborted).ConfigureAwait(false);
        return Results.Json(queues.Select(AdminQueueView.From).ToArray(), AdminJsonContext.Default.AdminQueueViewArray);
    }

    private static async Task<IResult> GetAsync(HttpContext context, string id)
    {
        var job = await Store(context).GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        return job is null ? JobNotFound(id) : Results.Json(AdminJobView.From(job), AdminJsonContext.Default.AdminJobView);
    }

    private static async Task<IResult> RequeueAsync(HttpContext context, string id)
    {
        var store = Store(context);
        var job = await store.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        if (job is null)
        {
            return JobNotFound(id);
        }

        var queue = context.RequestServices.GetRequiredService<IJobQueue>();
        if (!await queue.RequeueAsync(id, context.RequestAborted).ConfigureAwait(false))
        {
            job = await store.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
            return job is null
                ? JobNotFound(id)
                : Problem(StatusCodes.Status409Conflict, "Job not dead", $"Job '{id}' is {job.State}: only a dead job can be requeued.");
        }

        job = await store.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        return job is null ? JobNotFound(id) : Results.Json(AdminJobView.From(job), AdminJsonContext.Default.AdminJobView);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, string id)
    {
        if (await Admin(context).DeleteAsync(id, context.RequestAborted).ConfigureAwait(false))
        {
            return Results.NoContent();
        }

        var job = await Store(context).GetAsync(id, context.RequestAborted).ConfigureAwait(false);
        return job is null
            ? JobNotFound(id)
            : Problem(StatusCodes.Status409Conflict, "Job not finished", $"Job '{id}' is {job.State}: only a finished job (Succeeded, Dead or Cancelled) can be deleted; cancel it first.");
    }

    private static async Task<IResult> RequeueManyAsync(HttpContext context, AdminFilterQuery query)
    {
        var (filter, error) = AdminQueryParser.ReadFilter(query);
        if (error is not null)
        {
            return BadRequest(error);
        }

        var count = await Admin(context).RequeueManyAsync(filter!, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new AdminCountResult(count), AdminJsonContext.Default.AdminCountResult);
    }

    private static async Task<IResult> DeleteManyAsync(HttpContext context, AdminFilterQuery query)
    {
        var (filter, error) = AdminQueryParser.ReadFilter(query);
        if (error is not null)
        {
            return BadRequest(error);
        }

        var count = await Admin(context).DeleteManyAsync(filter!, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new AdminCountResult(count), AdminJsonContext.Default.AdminCountResult);
    }

    private async Task<IResult> SetPausedAsync(HttpContext context, string queue, bool paused)
    {
        if (!_queues.Contains(queue))
        {
            return Problem(StatusCodes.Status404NotFound, "Queue not found",
                $"Queue '{queue}' is not configured; the configured queues are: {string.Join(", ", _queues)}.");
        }

        var admin = Admin(context);
        await (paused ? admin.PauseQueueAsync(queue, context.RequestAborted) : admin.ResumeQueueAsync(queue, context.RequestAborted)).ConfigureAwait(false);
        return Results.NoContent();
    }

    /// <summary>
    /// Turns the caller's mistakes that <see cref="IJobAdmin"/> finds (an unknown queue in a filter, a state a bulk
    /// operation does not take, a cursor no search returned) into 400, and a failure of the backend into 503.
    /// </summary>
    private static async Task<IResult> GuardAsync(HttpContext context, Task<IResult> handling)
    {
        try
        {
            return await handling.ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            return BadRequest(ex.Message);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or InvalidOperationException or NotSupportedException))
        {
            StoreFailureLog.Write(context, ex);

            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status503ServiceUnavailable, StoreFailureLog.UnavailableTitle, StoreFailureLog.UnavailableDetail);
        }
    }

    private static IJobAdmin Admin(HttpContext context) => context.RequestServices.GetRequiredService<IJobAdmin>();

    private static IJobStore Store(HttpContext context) => context.RequestServices.GetRequiredService<IJobStore>();

    private static IResult JobNotFound(string id) =>
        Problem(StatusCodes.Status404NotFound, "Job not found", $"No job '{id}' is known: it never existed, or it finished and its retention ran out.");

    private static IResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Invalid query", detail);

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail);
}
