using Strata.Jobs;

namespace Strata.Dashboard.Internal.Pages;

/// <summary>The landing page: what the host registered, and the job totals when Strata.Jobs is there.</summary>
internal static class OverviewPage
{
    public static async Task<HtmlPageResult> RenderAsync(DashboardRequest request)
    {
        if (request.Service<IJobAdmin>() is not { } admin)
        {
            return request.Page("Overview", html => html.Markup(
                "<p>No Strata package is registered in this host, so there is nothing to show yet. "
                + "Register Strata.Jobs (<code>AddStrataJobs()</code>) to see its queues, jobs, dead letters and schedules here.</p>"));
        }

        var counts = await admin.CountAsync(request.Aborted).ConfigureAwait(false);
        var totals = Enum.GetValues<JobState>().ToDictionary(s => s, s => counts.Where(c => c.State == s).Sum(c => c.Count));
        return request.Page("Overview", html =>
        {
            html.Markup("<h2>Jobs</h2><table><caption class=\"muted\">Jobs stored, per state, over every queue</caption><thead><tr>");
            foreach (var state in totals.Keys)
            {
                html.Markup("<th scope=\"col\" class=\"number\">").Text(state.ToString()).Markup("</th>");
            }

            html.Markup("</tr></thead><tbody><tr>");
            foreach (var count in totals.Values)
            {
                html.Markup("<td class=\"number\">").Text(count).Markup("</td>");
            }

            html.Markup("</tr></tbody></table><p>")
                .Link(request.Url("/queues"), "Queues").Markup(" · ")
                .Link(request.Url("/jobs"), "Jobs").Markup(" · ")
                .Link(request.Url("/dead"), "Dead letters").Markup(" · ")
                .Link(request.Url("/schedules"), "Schedules").Markup("</p>");
        });
    }
}
