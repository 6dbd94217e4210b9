using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strata.Dashboard.Internal.Pages;
using Strata.Jobs;

namespace Strata.Dashboard.Internal;

/// <summary>The dashboard's routes: GET pages and POST actions, each action behind read-only and antiforgery checks.</summary>
internal static class DashboardRoutes
{
    public static void Map(RouteGroupBuilder group, DashboardSettings settings)
    {
        group.MapGet("/", Get(settings, async r => await OverviewPage.RenderAsync(r).ConfigureAwait(false)));
        group.MapGet("/assets/{file}", (Delegate)ServeAsset);
        group.MapGet("/live", Live.LiveEndpoint.WriteAsync);

        group.MapGet("/queues", Get(settings, r => Jobs(r, admin => QueuesPage.RenderAsync(r, admin))));
        group.MapGet("/jobs", Get(settings, r => Jobs(r, admin => JobsPage.RenderAsync(r, admin))));
        group.MapGet("/jobs/{id}", Get(settings, r => Jobs(r, _ => JobDetailPage.RenderAsync(r, r.Service<IJobAdmin>(), RouteValue(r, "id")))));
        group.MapGet("/dead", Get(settings, r => Jobs(r, admin => DeadLettersPage.RenderAsync(r, admin))));
        group.MapGet("/dead/confirm", Get(settings, r => Jobs(r, admin => DeadLettersPage.ConfirmAsync(r, admin))));
        group.MapGet("/schedules", Get(settings, r => Jobs(r, _ => SchedulesPage.RenderAsync(r, r.Service<IRecurringJobs>()))));

        // One route per action (no regex constraint: WebApplication.CreateSlimBuilder hosts do not register it).
        foreach (var action in (string[])["pause", "resume"])
        {
            group.MapPost("/queues/{name}/" + action, (HttpContext context, string name) =>
                Action(context, settings, (r, _) => Jobs(r, async admin =>
                {
                    await (action == "pause" ? admin.PauseQueueAsync(name, r.Aborted) : admin.ResumeQueueAsync(name, r.Aborted)).ConfigureAwait(false);
                    return SeeOther(r, "/queues");
                })));
        }

        foreach (var action in (string[])["cancel", "requeue", "delete"])
        {
            group.MapPost("/jobs/{id}/" + action, (HttpContext context, string id) =>
                Action(context, settings, (r, _) => Jobs(r, admin => JobActionAsync(r, admin, id, action))));
        }

        foreach (var action in (string[])["requeue", "delete"])
        {
            group.MapPost("/dead/" + action, Post(settings, (r, form) => Jobs(r, async admin =>
                (IResult)await DeadLettersPage.ActAsync(r, admin, action, JobFilterForm.FromForm(form, withState: false)).ConfigureAwait(false))));
        }

        foreach (var action in (string[])["trigger", "pause", "resume"])
        {
            group.MapPost("/schedules/{name}/" + action, (HttpContext context, string name) =>
                Action(context, settings, (r, _) => Jobs(r, _ => ScheduleActionAsync(r, name, action))));
        }

        RateLimitRoutes.Map(group, settings);
        ApiKeyRoutes.Map(group, settings);
    }

    private static async Task<IResult> JobActionAsync(DashboardRequest request, IJobAdmin admin, string id, string action)
    {
        if (request.Service<IJobQueue>() is not { } queue)
        {
            return NotRegistered(request, nameof(IJobQueue));
        }

        var done = action switch
        {
            "cancel" => await queue.CancelAsync(id, request.Aborted).ConfigureAwait(false),
            "requeue" => await queue.RequeueAsync(id, request.Aborted).ConfigureAwait(false),
            _ => await admin.DeleteAsync(id, request.Aborted).ConfigureAwait(false),
        };
        if (!done)
        {
            return request.Error(StatusCodes.Status409Conflict, "Not done",
                $"Job '{id}' could not be {(action == "cancel" ? "cancelled" : action + "d")}: it is unknown or its state does not allow it.");
        }

        return SeeOther(request, action == "delete" ? "/jobs" : "/jobs/" + Uri.EscapeDataString(id));
    }

    private static async Task<IResult> ScheduleActionAsync(DashboardRequest request, string name, string action)
    {
        if (request.Service<IRecurringJobs>() is not { } recurring)
        {
            return NotRegistered(request, nameof(IRecurringJobs));
        }

        if (action == "trigger")
        {
            var jobId = await recurring.TriggerAsync(name, request.Aborted).ConfigureAwait(false);
            return jobId is null ? NoSchedule(request, name) : SeeOther(request, "/jobs/" + Uri.EscapeDataString(jobId));
        }

        var found = action == "pause"
            ? await recurring.PauseAsync(name, request.Aborted).ConfigureAwait(false)
            : await recurring.ResumeAsync(name, request.Aborted).ConfigureAwait(false);
        return found ? SeeOther(request, "/schedules") : NoSchedule(request, name);
    }

    /// <summary>A 404 page for a Strata.Jobs service the host replaced or removed.</summary>
    internal static HtmlPageResult NotRegistered(DashboardRequest request, string service) =>
        request.Error(StatusCodes.Status404NotFound, "Not registered", $"This host has no {service}, so the dashboard cannot show or do this.");

    private static HtmlPageResult NoSchedule(DashboardRequest request, string name) =>
        request.Error(StatusCodes.Status404NotFound, "Schedule not found", $"No schedule is named '{name}'.");

    internal static IResult SeeOther(DashboardRequest request, string path)
    {
        request.Context.Response.Headers.Location = request.Url(path);
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    /// <summary>Runs a jobs section when the host registered Strata.Jobs, else a 404 page that says so.</summary>
    private static async Task<IResult> Jobs<T>(DashboardRequest request, Func<IJobAdmin, Task<T>> render)
        where T : IResult
    {
        if (request.Service<IJobAdmin>() is not { } admin)
        {
            return request.Error(StatusCodes.Status404NotFound, "Jobs not registered",
                "This host did not register Strata.Jobs (AddStrataJobs()), so the dashboard has no jobs section.");
        }

        return await render(admin).ConfigureAwait(false);
    }

    internal static RequestDelegate Get(DashboardSettings settings, Func<DashboardRequest, Task<IResult>> render) =>
        context => Guard(context, settings, render);

    private static RequestDelegate Post(DashboardSettings settings, Func<DashboardRequest, IFormCollection, Task<IResult>> act) =>
        context => Action(context, settings, act);

    internal static string RouteValue(DashboardRequest request, string name) =>
        request.Context.Request.RouteValues[name]?.ToString() ?? "";

    /// <summary>An action: 403 in read-only mode, 400 without a valid antiforgery token, else <paramref name="act"/>.</summary>
    internal static Task Action(HttpContext context, DashboardSettings settings, Func<DashboardRequest, IFormCollection, Task<IResult>> act) =>
        Guard(context, settings, async request =>
        {
            if (settings.ReadOnly)
            {
                return request.Error(StatusCodes.Status403Forbidden, "Read-only", "This dashboard is read-only: its actions are turned off.");
            }

            if (!context.Request.HasFormContentType)
            {
                return request.Error(StatusCodes.Status400BadRequest, "Bad request", "An action is a form post.");
            }

            try
            {
                await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context).ConfigureAwait(false);
            }
            catch (AntiforgeryValidationException)
            {
                return request.Error(StatusCodes.Status400BadRequest, "Bad request",
                    "The form's antiforgery token is missing or invalid; reload the page and try again. Nothing was done.");
            }

            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var result = await act(request, form).ConfigureAwait(false);
            request.Service<JobReadings>()?.Invalidate();   // the next page shows what the action changed
            return result;
        });

    /// <summary>Runs a handler; bad input (a state, a date, a cursor, a queue) becomes a 400 page, never a 500.</summary>
    private static async Task Guard(HttpContext context, DashboardSettings settings, Func<DashboardRequest, Task<IResult>> handler)
    {
        var request = new DashboardRequest(context, settings);
        IResult result;
        try
        {
            result = await handler(request).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DashboardInputException or (ArgumentException and not ArgumentNullException) && !context.RequestAborted.IsCancellationRequested)
        {
            result = request.Error(StatusCodes.Status400BadRequest, "Bad request", ex.Message);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // A store that is down (or anything else that threw) is a page that says so, not a 500: logged in full,
            // shown by its type only (a message may name a host or a query).
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(DashboardLog.Category);
            DashboardLog.PageFailed(logger, context.Request.Method, context.Request.Path, ex);
            context.Response.Headers.RetryAfter = "5";
            result = request.Error(StatusCodes.Status503ServiceUnavailable, "Store unavailable",
                HttpMethods.IsPost(context.Request.Method)
                    ? $"A store did not answer ({ex.GetType().Name}): the action may not have been done. Reload the page to see the current state."
                    : $"A store did not answer ({ex.GetType().Name}). Try again in a few seconds; the overview shows each store's health.");
        }

        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    private static IResult ServeAsset(HttpContext context, string file)
    {
        if (DashboardAssets.Find(file) is not { } asset)
        {
            return Results.NotFound();
        }

        context.Items[DashboardHeaders.CacheableItem] = true;
        return Results.Bytes(asset.Bytes, asset.ContentType);
    }
}
