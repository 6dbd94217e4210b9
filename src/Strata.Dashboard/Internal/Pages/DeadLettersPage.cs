using Strata.Jobs;

namespace Strata.Dashboard.Internal.Pages;

/// <summary>
/// Dead jobs with their last error; bulk requeue or delete by filter through a confirmation page that shows how many
/// jobs the action will touch before it acts.
/// </summary>
internal static class DeadLettersPage
{
    public static async Task<HtmlPageResult> RenderAsync(DashboardRequest request, IJobAdmin admin)
    {
        var form = JobFilterForm.FromQuery(request.Context.Request.Query, withState: false);
        var cursor = request.Context.Request.Query["cursor"].ToString() is { Length: > 0 } c ? c : null;
        var page = await admin.SearchAsync(form.Filter with { State = JobState.Dead }, cursor, JobsPage.PageSize, request.Aborted).ConfigureAwait(false);
        return request.Page("Dead letters", html =>
        {
            form.Write(html, request.Url("/dead"));
            if (!request.ReadOnly && page.Jobs.Count > 0)
            {
                html.Markup("<p>")
                    .Link(request.Url("/dead/confirm") + form.QueryString(("action", "requeue")), "Requeue every dead job matching this filter…").Markup(" · ")
                    .Link(request.Url("/dead/confirm") + form.QueryString(("action", "delete")), "Delete every dead job matching this filter…").Markup("</p>");
            }

            JobsPage.WriteTable(html, request, page.Jobs, showError: true);
            JobsPage.WriteNextLink(html, request, "/dead", form, page.NextCursor);
        });
    }

    /// <summary>The confirmation step: the filter, the count it touches now, and the form that acts.</summary>
    public static async Task<HtmlPageResult> ConfirmAsync(DashboardRequest request, IJobAdmin admin)
    {
        var action = ParseAction(request.Context.Request.Query["action"].ToString());
        var form = JobFilterForm.FromQuery(request.Context.Request.Query, withState: false);
        var count = await CountAsync(admin, form.Filter with { State = JobState.Dead }, request.Aborted).ConfigureAwait(false);
        var verb = action == "requeue" ? "Requeue" : "Delete";
        return request.Page($"{verb} dead jobs", html =>
        {
            html.Markup("<h2>Filter</h2>");
            if (!form.SetFields.Any())
            {
                html.Markup("<p>Every dead job.</p>");
            }
            else
            {
                html.Markup("<dl>");
                foreach (var field in form.SetFields)
                {
                    html.Element("dt", field.Key).Element("dd", field.Value);
                }

                html.Markup("</dl>");
            }

            html.Markup("<p>This will ").Text(action).Markup(" <strong id=\"count\">").Text(count)
                .Markup("</strong> dead jobs (counted now; jobs that die before you confirm are included).</p>");
            if (count > 0)
            {
                request.ActionForm(html, "/dead/" + action, $"{verb} {count} jobs", form.SetFields, danger: action == "delete");
            }

            html.Markup("<p>").Link(request.Url("/dead") + form.QueryString(), "Back to the dead letters").Markup("</p>");
        });
    }

    /// <summary>Runs the confirmed bulk action and reports how many jobs it touched.</summary>
    public static async Task<HtmlPageResult> ActAsync(DashboardRequest request, IJobAdmin admin, string action, JobFilterForm form)
    {
        action = ParseAction(action);
        var filter = form.Filter with { State = JobState.Dead };
        var count = action == "requeue"
            ? await admin.RequeueManyAsync(filter, request.Aborted).ConfigureAwait(false)
            : await admin.DeleteManyAsync(filter, request.Aborted).ConfigureAwait(false);
        return request.Page(action == "requeue" ? "Requeued" : "Deleted", html => html
            .Markup("<p role=\"status\">").Text(action == "requeue" ? "Requeued " : "Deleted ").Markup("<strong id=\"count\">").Text(count)
            .Markup("</strong> dead jobs.</p><p>").Link(request.Url("/dead"), "Back to the dead letters").Markup("</p>"));
    }

    /// <summary>Counts the jobs a filter matches: per-queue counts when only the queue is set, else a walk over the search.</summary>
    internal static async Task<long> CountAsync(IJobAdmin admin, JobFilter filter, CancellationToken cancellationToken)
    {
        if (filter is { JobType: null, Owner: null, CreatedAfter: null, CreatedBefore: null, FinishedBefore: null })
        {
            var counts = await admin.CountAsync(cancellationToken).ConfigureAwait(false);
            return counts.Where(c => c.State == filter.State && (filter.Queue is null || c.Queue == filter.Queue)).Sum(c => c.Count);
        }

        long total = 0;
        string? cursor = null;
        do
        {
            var page = await admin.SearchAsync(filter, cursor, 1000, cancellationToken).ConfigureAwait(false);
            total += page.Jobs.Count;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return total;
    }

    private static string ParseAction(string action) => action is "requeue" or "delete"
        ? action
        : throw new DashboardInputException($"Unknown action '{action}': use requeue or delete.");
}
