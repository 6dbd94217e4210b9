using Microsoft.Extensions.DependencyInjection;
using Strata.Dashboard.Internal.Health;
using Strata.Dashboard.Internal.Live;
using Strata.ApiKeys;
using Strata.Jobs;
using Strata.RateLimiting;

namespace Strata.Dashboard.Internal.Pages;

/// <summary>
/// The landing page: the job totals when Strata.Jobs is there, this node's live numbers and charts, and the health
/// of each store. A store that is down shows as unhealthy; the page still answers 200.
/// </summary>
internal static class OverviewPage
{
    public static async Task<HtmlPageResult> RenderAsync(DashboardRequest request)
    {
        var collector = request.Context.RequestServices.GetRequiredService<LiveCollector>();
        var admin = request.Service<IJobAdmin>();
        var rateLimiting = request.Service<IRateLimitingMonitor>() is not null;
        var keys = request.Service<IApiKeyManager>() is not null;
        if (admin is null && !rateLimiting && !keys)
        {
            return request.Page("Overview", html => html.Markup(
                "<p>No Strata package is registered in this host, so there is nothing to show yet. "
                + "Register Strata.Jobs (<code>AddStrataJobs()</code>) to see its queues, jobs, dead letters and schedules here, "
                + "Strata.RateLimiting (<code>AddStrataRateLimiting()</code>) for its policies and denials, "
                + "Strata.ApiKeys (<code>AddStrataApiKeys()</code>) for its keys.</p>"));
        }

        var health = HealthSection.ReadAsync(request);
        var counts = admin is null ? Task.FromResult<JobCounts?>(null) : ReadCountsAsync(request, admin);
        var readings = await health.ConfigureAwait(false);
        var totals = await counts.ConfigureAwait(false);
        return request.Page("Overview", html =>
        {
            // The totals first: the page's first table stays the jobs per state it always was.
            if (admin is not null)
            {
                WriteJobs(html, request, totals);
            }

            if (rateLimiting && keys)
            {
                html.Markup("<p>").Link(request.Url("/ratelimits"), "Rate limits").Markup(" · ").Link(request.Url("/keys"), "API keys").Markup("</p>");
            }
            else if (rateLimiting || keys)
            {
                html.Markup("<p>").Link(request.Url(rateLimiting ? "/ratelimits" : "/keys"), rateLimiting ? "Rate limits" : "API keys").Markup("</p>");
            }

            LiveSection.Write(html, request, collector, jobs: admin is not null);
            HealthSection.Write(html, readings);
        });
    }

    private static void WriteJobs(HtmlWriter html, DashboardRequest request, JobCounts? totals)
    {
        html.Markup("<h2>Jobs</h2>");
        if (totals is { Failure: { } failure })
        {
            html.Markup("<p class=\"error\" role=\"alert\">").Text(failure).Markup("</p>");
        }
        else if (totals is { Totals: { } perState })
        {
            html.Markup("<table><caption class=\"muted\">Jobs stored, per state, over every queue, counted at ").Time(totals.At)
                .Markup("</caption><thead><tr>");
            foreach (var state in perState.Keys)
            {
                html.Markup("<th scope=\"col\" class=\"number\">").Text(state.ToString()).Markup("</th>");
            }

            html.Markup("</tr></thead><tbody><tr>");
            foreach (var count in perState.Values)
            {
                html.Markup("<td class=\"number\">").Text(count).Markup("</td>");
            }

            html.Markup("</tr></tbody></table>");
        }

        html.Markup("<p>")
            .Link(request.Url("/queues"), "Queues").Markup(" · ")
            .Link(request.Url("/jobs"), "Jobs").Markup(" · ")
            .Link(request.Url("/dead"), "Dead letters").Markup(" · ")
            .Link(request.Url("/schedules"), "Schedules").Markup("</p>");
    }

    /// <summary>The totals per state, or why they could not be read (the store is down): the overview still renders.</summary>
    private static async Task<JobCounts?> ReadCountsAsync(DashboardRequest request, IJobAdmin admin)
    {
        try
        {
            // Throttled by its cost (it counts every stored job): JobReadings.
            var reading = await request.Service<JobReadings>()!.Counts.GetAsync(admin.CountAsync, request.Aborted).ConfigureAwait(false);
            var counts = reading.Value;
            var totals = new Dictionary<JobState, long>();
            foreach (var state in Enum.GetValues<JobState>())
            {
                totals[state] = 0;
            }

            foreach (var count in counts)
            {
                totals[count.State] += count.Count;
            }

            return new JobCounts(totals, reading.At, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !request.Aborted.IsCancellationRequested)
        {
            return new JobCounts(null, null, $"The job counts could not be read: the job store did not answer ({ex.GetType().Name}). See Stores below.");
        }
    }

    private sealed record JobCounts(Dictionary<JobState, long>? Totals, DateTimeOffset? At, string? Failure);
}
