using System.Globalization;
using Strata.Jobs;

namespace Strata.Dashboard.Internal.Pages;

/// <summary>Every configured queue: jobs per state, the oldest waiting job's age, paused or not, pause and resume.</summary>
internal static class QueuesPage
{
    private static readonly JobState[] States = Enum.GetValues<JobState>();

    public static async Task<HtmlPageResult> RenderAsync(DashboardRequest request, IJobAdmin admin)
    {
        // Throttled by its cost (it counts every stored job): JobReadings.
        var reading = await request.Service<JobReadings>()!.Queues.GetAsync(admin.GetQueuesAsync, request.Aborted).ConfigureAwait(false);
        var queues = reading.Value;
        var now = request.Now;
        return request.Page("Queues", html =>
        {
            html.Markup("<p class=\"muted\">Counted at ").Time(reading.At).Markup(".</p>");
            html.Markup("<table><thead><tr><th scope=\"col\">Queue</th><th scope=\"col\">Status</th>");
            foreach (var state in States)
            {
                html.Markup("<th scope=\"col\" class=\"number\">").Text(state.ToString()).Markup("</th>");
            }

            html.Markup("<th scope=\"col\">Oldest waiting</th><th scope=\"col\">Actions</th></tr></thead><tbody>");
            foreach (var queue in queues)
            {
                html.Markup("<tr><th scope=\"row\">").Link(request.Url("/jobs?queue=" + Uri.EscapeDataString(queue.Name)), queue.Name).Markup("</th><td>")
                    .Markup(queue.Paused ? "<span class=\"badge\">paused</span>" : "running").Markup("</td>");
                foreach (var state in States)
                {
                    html.Markup("<td class=\"number\">").Text(queue.Counts.GetValueOrDefault(state)).Markup("</td>");
                }

                html.Markup("<td>").Text(Age(now, queue.OldestQueuedAt)).Markup("</td><td>");
                var path = "/queues/" + Uri.EscapeDataString(queue.Name) + (queue.Paused ? "/resume" : "/pause");
                request.ActionForm(html, path, (queue.Paused ? "Resume " : "Pause ") + queue.Name);
                html.Markup("</td></tr>");
            }

            html.Markup("</tbody></table>");
        });
    }

    /// <summary>"3 min 20 s" style age of the oldest waiting job, or a dash.</summary>
    internal static string Age(DateTimeOffset now, DateTimeOffset? since)
    {
        if (since is not { } t)
        {
            return "—";
        }

        var age = now - t;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours} h {age.Minutes} min")
            : age.TotalMinutes >= 1
                ? string.Create(CultureInfo.InvariantCulture, $"{age.Minutes} min {age.Seconds} s")
                : string.Create(CultureInfo.InvariantCulture, $"{age.Seconds} s");
    }
}
