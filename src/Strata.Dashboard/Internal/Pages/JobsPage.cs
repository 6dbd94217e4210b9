using Strata.Jobs;

namespace Strata.Dashboard.Internal.Pages;

/// <summary>Jobs matching a filter, newest first, one page at a time with a cursor; each row links to its detail.</summary>
internal static class JobsPage
{
    public const int PageSize = 50;

    public static async Task<HtmlPageResult> RenderAsync(DashboardRequest request, IJobAdmin admin)
    {
        var form = JobFilterForm.FromQuery(request.Context.Request.Query);
        var cursor = request.Context.Request.Query["cursor"].ToString() is { Length: > 0 } c ? c : null;
        var page = await admin.SearchAsync(form.Filter, cursor, PageSize, request.Aborted).ConfigureAwait(false);
        return request.Page("Jobs", html =>
        {
            form.Write(html, request.Url("/jobs"));
            WriteTable(html, request, page.Jobs, showError: false);
            WriteNextLink(html, request, "/jobs", form, page.NextCursor);
        });
    }

    /// <summary>The table of jobs shared by the Jobs and Dead letters pages.</summary>
    public static void WriteTable(HtmlWriter html, DashboardRequest request, IReadOnlyList<JobInfo> jobs, bool showError)
    {
        if (jobs.Count == 0)
        {
            html.Markup("<p>No job matches.</p>");
            return;
        }

        html.Markup("<table><thead><tr><th scope=\"col\">Job</th><th scope=\"col\">Type</th><th scope=\"col\">Queue</th>")
            .Markup("<th scope=\"col\">State</th><th scope=\"col\" class=\"number\">Attempts</th><th scope=\"col\">Owner</th><th scope=\"col\">Created</th>")
            .Markup(showError ? "<th scope=\"col\">Last error</th>" : "<th scope=\"col\">Finished</th>").Markup("</tr></thead><tbody>");
        foreach (var job in jobs)
        {
            html.Markup("<tr><th scope=\"row\">").Link(request.Url("/jobs/" + Uri.EscapeDataString(job.Id)), job.Id).Markup("</th>")
                .Element("td", job.JobType).Element("td", job.Queue).Element("td", job.State.ToString())
                .Markup("<td class=\"number\">").Text(job.Attempt).Markup(" / ").Text(job.MaxAttempts).Markup("</td>")
                .Element("td", job.Owner).Markup("<td>").Time(job.CreatedAt).Markup("</td>");
            if (showError)
            {
                html.Element("td", job.Error);
            }
            else
            {
                html.Markup("<td>").Time(job.CompletedAt).Markup("</td>");
            }

            html.Markup("</tr>");
        }

        html.Markup("</tbody></table>");
    }

    /// <summary>The "next page" link when the search has more.</summary>
    public static void WriteNextLink(HtmlWriter html, DashboardRequest request, string path, JobFilterForm form, string? nextCursor)
    {
        if (nextCursor is not null)
        {
            html.Markup("<p>").Markup("<a rel=\"next\"").Attribute("href", request.Url(path) + form.QueryString(("cursor", nextCursor)))
                .Markup(">Next page</a></p>");
        }
    }
}
