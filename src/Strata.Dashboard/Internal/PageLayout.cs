using Strata.ApiKeys;
using Strata.Jobs;
using Strata.RateLimiting;

namespace Strata.Dashboard.Internal;

/// <summary>The frame of every page: language, title, the embedded stylesheet, the navigation and the main heading.</summary>
internal static class PageLayout
{
    private static readonly (string Path, string Label)[] JobSections =
    [
        ("/queues", "Queues"), ("/jobs", "Jobs"), ("/dead", "Dead letters"), ("/schedules", "Schedules"),
    ];

    public static void Write(HtmlWriter html, DashboardRequest request, string title, Action<HtmlWriter> body)
    {
        html.Markup("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Markup("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Markup("<title>").Text(title).Markup(" · Strata dashboard</title>")
            .Markup("<link rel=\"stylesheet\"").Attribute("href", request.Url("/assets/" + DashboardAssets.StylesheetFileName)).Markup(">")
            .Markup("</head><body><header><nav aria-label=\"Dashboard sections\"><ul>");
        NavItem(html, request, "", "Overview");
        if (request.Service<IJobAdmin>() is not null)
        {
            foreach (var (path, label) in JobSections)
            {
                NavItem(html, request, path, label);
            }
        }

        if (request.Service<IRateLimitingMonitor>() is not null)
        {
            NavItem(html, request, RateLimitRoutes.Path, "Rate limits");
        }

        if (request.Service<IApiKeyManager>() is not null)
        {
            NavItem(html, request, ApiKeyRoutes.Path, "API keys");
        }

        html.Markup("</ul></nav></header><main><h1>").Text(title).Markup("</h1>");
        if (request.ReadOnly)
        {
            html.Markup("<p class=\"muted\">Read-only: actions are turned off.</p>");
        }

        body(html);
        html.Markup("</main></body></html>");
    }

    private static void NavItem(HtmlWriter html, DashboardRequest request, string path, string label)
    {
        var current = request.Context.Request.Path.Value ?? "";
        var active = path.Length == 0
            ? current.TrimEnd('/').Length == request.Settings.Prefix.Length
            : current.StartsWith(request.Settings.Prefix + path, StringComparison.Ordinal);
        html.Markup("<li><a").Attribute("href", request.Url(path.Length == 0 ? "/" : path));
        if (active)
        {
            html.Markup(" aria-current=\"page\"");
        }

        html.Markup(">").Text(label).Markup("</a></li>");
    }
}
