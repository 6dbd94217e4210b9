using Strata.ApiKeys;

namespace Strata.Dashboard.Internal.Pages;

/// <summary>
/// The step before a revoke or a rotation: the key, what the action does, and its form (a rotation offers one button
/// per overlap in <see cref="ApiKeyRotatedPage.Overlaps"/>). No form in read-only mode.
/// </summary>
internal static class ApiKeyConfirmPage
{
    public static async Task<HtmlPageResult> RenderAsync(DashboardRequest request, IApiKeyManager manager, string id, string step)
    {
        if (await manager.GetAsync(id, request.Aborted).ConfigureAwait(false) is not { } key)
        {
            return ApiKeyRoutes.NoKey(request, id);
        }

        var path = ApiKeyRoutes.Path + "/" + Uri.EscapeDataString(key.Id) + "/" + step;
        return request.Page(step == "revoke" ? "Revoke key " + key.Id : "Rotate key " + key.Id, html =>
        {
            html.Markup("<dl><dt>Id</dt><dd><code>").Text(key.Id).Markup("</code></dd>")
                .Element("dt", "Name").Element("dd", key.Name ?? "—").Element("dt", "Owner").Element("dd", key.Owner)
                .Element("dt", "State").Element("dd", ApiKeysPage.State(key, request.Now)).Markup("</dl>");
            if (step == "revoke")
            {
                html.Markup("<p>Revoking is for good: the key's next request gets 401, and it cannot be enabled again.</p>");
                request.ActionForm(html, path, "Revoke " + key.Id, danger: true);
            }
            else
            {
                html.Markup("<p>Rotation creates a new key with the same owner, scopes and expiry, shown once on the next page. ")
                    .Markup("Choose how long the old key keeps working:</p>");
                foreach (var (value, label, _) in ApiKeyRotatedPage.Overlaps)
                {
                    request.ActionForm(html, path, "Rotate, old key works " + label, [new("overlap", value)]);
                }
            }

            html.Markup("<p>").Link(request.Url(ApiKeyRoutes.Path), "Back to the keys").Markup("</p>");
        });
    }
}
