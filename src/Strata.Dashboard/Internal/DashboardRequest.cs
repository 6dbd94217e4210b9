using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Dashboard.Internal;

/// <summary>One request to the dashboard: links under its prefix, the antiforgery token for its forms, the clock.</summary>
internal sealed class DashboardRequest(HttpContext context, DashboardSettings settings)
{
    private AntiforgeryTokenSet? _tokens;

    public HttpContext Context { get; } = context;

    public DashboardSettings Settings { get; } = settings;

    public bool ReadOnly => Settings.ReadOnly;

    public CancellationToken Aborted => Context.RequestAborted;

    public DateTimeOffset Now => (Context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();

    /// <summary>The address of a dashboard path ("" for the overview, "/jobs" for a page), with the app's path base.</summary>
    public string Url(string path) => Context.Request.PathBase.Value + Settings.Prefix + path;

    public T? Service<T>()
        where T : class => Context.RequestServices.GetService<T>();

    /// <summary>Writes a POST form of one button (none in read-only mode), with the antiforgery token and hidden fields.</summary>
    public void ActionForm(HtmlWriter html, string path, string label, IEnumerable<KeyValuePair<string, string?>>? fields = null, bool danger = false)
    {
        if (ReadOnly)
        {
            return;
        }

        _tokens ??= Context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(Context);
        html.Markup("<form method=\"post\" class=\"action\"").Attribute("action", Url(path)).Markup(">")
            .Markup("<input type=\"hidden\"").Attribute("name", _tokens.FormFieldName).Attribute("value", _tokens.RequestToken).Markup(">");
        foreach (var field in fields ?? [])
        {
            html.Markup("<input type=\"hidden\"").Attribute("name", field.Key).Attribute("value", field.Value).Markup(">");
        }

        html.Markup(danger ? "<button type=\"submit\" class=\"danger\">" : "<button type=\"submit\">").Text(label).Markup("</button></form>");
    }

    /// <summary>A page inside the layout.</summary>
    public HtmlPageResult Page(string title, Action<HtmlWriter> body, int statusCode = StatusCodes.Status200OK)
    {
        var html = new HtmlWriter();
        PageLayout.Write(html, this, title, body);
        return new HtmlPageResult(statusCode, html.ToString());
    }

    /// <summary>A page that says what went wrong, with <paramref name="statusCode"/>.</summary>
    public HtmlPageResult Error(int statusCode, string title, string message) =>
        Page(title, html => html.Markup("<p class=\"error\" role=\"alert\">").Text(message).Markup("</p>"), statusCode);
}
