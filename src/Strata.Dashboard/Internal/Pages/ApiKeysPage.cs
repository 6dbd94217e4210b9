using Strata.ApiKeys;

namespace Strata.Dashboard.Internal.Pages;

/// <summary>
/// The API keys, oldest first, by cursor pages, optionally of one owner: id, name, owner, scopes, created, expires, last
/// used, state, and the actions the state allows. Never a secret or a hash: <see cref="ApiKeyRecord"/> carries neither.
/// </summary>
internal static class ApiKeysPage
{
    public const int PageSize = 50;

    public static async Task<HtmlPageResult> RenderAsync(DashboardRequest request, IApiKeyManager manager)
    {
        var query = request.Context.Request.Query;
        var owner = query["owner"].ToString() is { Length: > 0 } o ? o : null;
        var cursor = query["cursor"].ToString() is { Length: > 0 } c ? c : null;
        var page = await manager.ListPageAsync(new ApiKeyQuery { Owner = owner, Cursor = cursor, Limit = PageSize }, request.Aborted).ConfigureAwait(false);
        var now = request.Now;
        return request.Page("API keys", html =>
        {
            html.Markup("<form method=\"get\" class=\"filter\" role=\"search\"").Attribute("action", request.Url(ApiKeyRoutes.Path)).Markup(">")
                .Markup("<label for=\"f-owner\">Owner<input id=\"f-owner\" name=\"owner\" type=\"text\"").Attribute("value", owner).Markup("></label>")
                .Markup("<button type=\"submit\">Filter</button></form>");
            if (page.Items.Count == 0)
            {
                html.Markup("<p>No keys.</p>");
                return;
            }

            html.Markup("<table class=\"keys\"><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Name</th><th scope=\"col\">Owner</th>")
                .Markup("<th scope=\"col\">Scopes</th><th scope=\"col\">Created</th><th scope=\"col\">Expires</th><th scope=\"col\">Last used</th>")
                .Markup("<th scope=\"col\">State</th><th scope=\"col\">Actions</th></tr></thead><tbody>");
            foreach (var key in page.Items)
            {
                WriteRow(html, request, key, now);
            }

            html.Markup("</tbody></table>");
            if (page.NextCursor is { } next)
            {
                var href = request.Url(ApiKeyRoutes.Path) + "?cursor=" + Uri.EscapeDataString(next)
                    + (owner is null ? "" : "&owner=" + Uri.EscapeDataString(owner));
                html.Markup("<p>").Link(href, "Next page").Markup("</p>");
            }
        });
    }

    /// <summary>revoked, expired, disabled or active, in that order of precedence.</summary>
    internal static string State(ApiKeyRecord key, DateTimeOffset now) =>
        key.RevokedAt is not null ? "revoked"
        : key.ExpiresAt is { } expires && expires <= now ? "expired"
        : key.IsDisabled ? "disabled"
        : "active";

    private static void WriteRow(HtmlWriter html, DashboardRequest request, ApiKeyRecord key, DateTimeOffset now)
    {
        var state = State(key, now);
        var path = ApiKeyRoutes.Path + "/" + Uri.EscapeDataString(key.Id);
        html.Markup("<tr").Attribute("data-key", key.Id).Markup("><td><code>").Text(key.Id).Markup("</code></td>")
            .Element("td", key.Name ?? "—").Element("td", key.Owner).Markup("<td>").Text(key.Scopes.Count == 0 ? "—" : string.Join(", ", key.Scopes)).Markup("</td>")
            .Markup("<td>").Time(key.CreatedAt).Markup("</td><td>").Time(key.ExpiresAt).Markup("</td><td>").Time(key.LastUsedAt).Markup("</td>")
            .Markup("<td data-field=\"state\">").Text(state);
        if (key.ReplacedById is { } successor)
        {
            html.Markup(" <span class=\"muted\">(replaced by <code>").Text(successor).Markup("</code>)</span>");
        }

        html.Markup("</td><td>");
        if (!request.ReadOnly && state != "revoked")
        {
            if (state == "active")
            {
                request.ActionForm(html, path + "/disable", "Disable " + key.Id);
            }
            else if (key.IsDisabled)
            {
                request.ActionForm(html, path + "/enable", "Enable " + key.Id);
            }

            if (state is "active" or "disabled" && key.ReplacedById is null)
            {
                html.Link(request.Url(path + "/rotate"), "Rotate…").Markup(" ");
            }

            html.Link(request.Url(path + "/revoke"), "Revoke…");
        }

        html.Markup("</td></tr>");
    }
}
