using System.Text.Encodings.Web;
using System.Text.Json;
using Strata.Jobs;

namespace Strata.Dashboard.Internal.Pages;

/// <summary>One job: everything <see cref="JobInfo"/> holds, with cancel, requeue and delete where its state allows.</summary>
internal static class JobDetailPage
{
    // The relaxed encoder keeps '<' and quotes readable in the JSON; the page HTML-encodes the whole text after.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<HtmlPageResult> RenderAsync(DashboardRequest request, IJobStore? store, string id)
    {
        if (store is null)
        {
            return DashboardRoutes.NotRegistered(request, nameof(IJobStore));
        }

        if (await store.GetAsync(id, request.Aborted).ConfigureAwait(false) is not { } job)
        {
            return request.Error(404, "Job not found", $"No job has the id '{id}'; it may have been deleted or purged.");
        }

        return request.Page("Job " + job.Id, html =>
        {
            html.Markup("<dl>")
                .Element("dt", "Id").Element("dd", job.Id)
                .Element("dt", "Type").Element("dd", job.JobType)
                .Element("dt", "Queue").Element("dd", job.Queue)
                .Element("dt", "State").Element("dd", job.State.ToString())
                .Element("dt", "Owner").Element("dd", job.Owner ?? "—")
                .Markup("<dt>Attempts</dt><dd>").Text(job.Attempt).Markup(" of ").Text(job.MaxAttempts)
                .Markup(" (redelivered ").Text(job.Redeliveries).Markup(" times)</dd>")
                .Markup("<dt>Progress</dt><dd>").Text(job.Progress is { } p ? p + " %" : "—");
            if (job.ProgressMessage is not null)
            {
                html.Markup(": ").Text(job.ProgressMessage);
            }

            html.Markup("</dd><dt>Created</dt><dd>").Time(job.CreatedAt).Markup("</dd>")
                .Markup("<dt>Scheduled for</dt><dd>").Time(job.ScheduledFor).Markup("</dd>")
                .Markup("<dt>Started</dt><dd>").Time(job.StartedAt).Markup("</dd>")
                .Markup("<dt>Completed</dt><dd>").Time(job.CompletedAt).Markup("</dd></dl>")
                .Markup("<p class=\"muted\">The payload is not stored in a form the dashboard can read yet.</p>");
            if (job.Error is not null)
            {
                html.Markup("<h2>Last error</h2><pre>").Text(job.Error).Markup("</pre>");
            }

            if (job.Result is { } result)
            {
                html.Markup("<h2>Result</h2><pre>").Text(JsonSerializer.Serialize(result, Indented)).Markup("</pre>");
            }

            if (!request.ReadOnly)
            {
                html.Markup("<h2>Actions</h2>");
                var path = "/jobs/" + Uri.EscapeDataString(job.Id);
                if (!job.IsFinished)
                {
                    request.ActionForm(html, path + "/cancel", "Cancel", danger: true);
                }

                if (job.State == JobState.Dead)
                {
                    request.ActionForm(html, path + "/requeue", "Requeue");
                }

                if (job.IsFinished)
                {
                    request.ActionForm(html, path + "/delete", "Delete", danger: true);
                }
            }
        });
    }
}
