using Strata.Jobs;

namespace Strata.Dashboard.Internal.Pages;

/// <summary>Every recurring job: cron, next and last run, paused; trigger now, pause, resume.</summary>
internal static class SchedulesPage
{
    public static async Task<HtmlPageResult> RenderAsync(DashboardRequest request, IRecurringJobs? recurring)
    {
        if (recurring is null)
        {
            return DashboardRoutes.NotRegistered(request, nameof(IRecurringJobs));
        }

        var schedules = await recurring.ListAsync(request.Aborted).ConfigureAwait(false);
        return request.Page("Schedules", html =>
        {
            if (schedules.Count == 0)
            {
                html.Markup("<p>No schedule is registered.</p>");
                return;
            }

            html.Markup("<table><thead><tr><th scope=\"col\">Schedule</th><th scope=\"col\">Cron</th><th scope=\"col\">Time zone</th>")
                .Markup("<th scope=\"col\">Job type</th><th scope=\"col\">Queue</th><th scope=\"col\">Status</th><th scope=\"col\">Next run</th>")
                .Markup("<th scope=\"col\">Last run</th><th scope=\"col\">Actions</th></tr></thead><tbody>");
            foreach (var schedule in schedules)
            {
                html.Markup("<tr><th scope=\"row\">").Text(schedule.Name).Markup("</th>")
                    .Markup("<td><code>").Text(schedule.Cron).Markup("</code></td>")
                    .Element("td", schedule.TimeZone).Element("td", schedule.JobType).Element("td", schedule.Queue)
                    .Markup("<td>").Markup(schedule.Paused ? "<span class=\"badge\">paused</span>" : "active").Markup("</td>")
                    .Markup("<td>").Time(schedule.NextRunAt).Markup("</td><td>").Time(schedule.LastRunAt);
                if (schedule.LastJobId is { } last)
                {
                    html.Markup(" (").Link(request.Url("/jobs/" + Uri.EscapeDataString(last)), "job").Markup(")");
                }

                html.Markup("</td><td>");
                var path = "/schedules/" + Uri.EscapeDataString(schedule.Name);
                request.ActionForm(html, path + "/trigger", "Trigger " + schedule.Name + " now");
                request.ActionForm(html, path + (schedule.Paused ? "/resume" : "/pause"), (schedule.Paused ? "Resume " : "Pause ") + schedule.Name);
                html.Markup("</td></tr>");
            }

            html.Markup("</tbody></table>");
        });
    }
}
