using System.Text.Encodings.Web;
using System.Text.Json;
using Strata.Jobs;

namespace Strata.Dashboard.Internal.Pages;

/// <summary>One job: its status and what it was enqueued with (<see cref="JobDetails"/>), with cancel, requeue and delete where its state allows.</summary>
internal static class JobDetailPage
{
    // The relaxed encoder keeps '<' and quotes readable in the JSON; the page HTML-encodes the whole text after.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<HtmlPageResult> RenderAsync(DashboardRequest request, IJobAdmin? admin, string id)
    {
        if (admin is null)
        {
            return DashboardRoutes.NotRegistered(request, nameof(IJobAdmin));
        }

        if (await admin.GetDetailsAsync(id, request.Aborted).ConfigureAwait(false) is not { } details)
        {
            return request.Error(404, "Job not found", $"No job has the id '{id}'; it may have been deleted or purged.");
        }

        var job = details.Job;

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
                .Markup("<dt>Completed</dt><dd>").Time(job.CompletedAt).Markup("</dd>")
                .Element("dt", "Trace id").Element("dd", details.TraceId ?? "—")
                .Element("dt", "Idempotency key").Element("dd", details.IdempotencyKey ?? "—")
                .Element("dt", "Rate limit").Element("dd", details.LimitKey ?? "—")
                .Markup("</dl><h2>Payload</h2>");
            if (details.Payload is { } payload)
            {
                html.Markup("<pre id=\"payload\">").Text(Pretty(payload)).Markup("</pre>");
            }
            else
            {
                html.Markup("<p class=\"muted\">The job store no longer keeps this job's payload (the in-memory store drops it once a job succeeded).</p>");
            }
            if (job.Error is not null)
            {
                html.Markup("<h2>Last error</h2><pre id=\"error\">").Text(job.Error).Markup("</pre>");
            }

            if (job.Result is { } result)
            {
                html.Markup("<h2>Result</h2><pre id=\"result\">").Text(JsonSerializer.Serialize(result, Indented)).Markup("</pre>");
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

    /// <summary>The payload indented for reading; as stored when it is not JSON (written by another client).</summary>
    private static string Pretty(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return payload;
        }
    }
}
