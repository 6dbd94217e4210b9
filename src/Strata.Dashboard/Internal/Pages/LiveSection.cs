using Strata.Dashboard.Internal.Live;

namespace Strata.Dashboard.Internal.Pages;

/// <summary>
/// The overview's live part: a table of the current numbers (last minute, last 15 minutes) that works without
/// JavaScript, and the scripts that poll <c>{prefix}/live</c> and draw the charts above it with uPlot.
/// </summary>
internal static class LiveSection
{
    private const int MinuteBuckets = 12;

    public static void Write(HtmlWriter html, DashboardRequest request, LiveCollector collector, bool jobs)
    {
        var rateLimiting = collector.RateLimitingSeen;
        if (!jobs && !rateLimiting)
        {
            return;
        }

        var snapshot = collector.Read();
        html.Markup("<h2>Last 15 minutes on this node</h2><section id=\"live\" aria-label=\"Live numbers\"")
            .Attribute("data-source", request.Url("/live")).Markup(">")
            .Markup("<p class=\"muted\">Counted in this process, per 5-second interval: each node of a fleet has its own numbers. ")
            .Markup("<span data-live-status></span></p><div class=\"charts\" data-charts></div>")
            .Markup("<table class=\"live\"><caption class=\"muted\">Measurements on this node</caption><thead><tr>")
            .Markup("<th scope=\"col\">Series</th><th scope=\"col\" class=\"number\">Last minute</th><th scope=\"col\" class=\"number\">Last 15 minutes</th>")
            .Markup("</tr></thead><tbody>");
        if (jobs)
        {
            Row(html, snapshot, "jobs", LiveSeries.JobsSucceeded);
            Row(html, snapshot, "jobs", LiveSeries.JobsFailed);
        }

        if (rateLimiting)
        {
            Row(html, snapshot, "ratelimiting", LiveSeries.Decisions);
            Row(html, snapshot, "ratelimiting", LiveSeries.Denials);
        }

        html.Markup("</tbody></table></section>")
            .Markup("<link rel=\"stylesheet\"").Attribute("href", request.Url("/assets/" + DashboardAssets.ChartStylesheet.FileName)).Markup(">")
            .Markup("<script defer").Attribute("src", request.Url("/assets/" + DashboardAssets.ChartScript.FileName)).Markup("></script>")
            .Markup("<script defer").Attribute("src", request.Url("/assets/" + DashboardAssets.Script.FileName)).Markup("></script>");
    }

    private static void Row(HtmlWriter html, LiveSnapshot snapshot, string group, int series)
    {
        html.Markup("<tr").Attribute("data-group", group).Attribute("data-series", LiveSeries.Names[series]).Markup("><th scope=\"row\">")
            .Text(LiveSeries.Labels[series]).Markup("</th>")
            .Markup("<td class=\"number\" data-buckets=\"12\">").Text(snapshot.Sum(series, MinuteBuckets)).Markup("</td>")
            .Markup("<td class=\"number\" data-buckets=\"180\">").Text(snapshot.Sum(series, snapshot.Length)).Markup("</td></tr>");
    }
}
