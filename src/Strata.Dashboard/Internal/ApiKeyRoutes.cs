using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Strata.ApiKeys;
using Strata.Dashboard.Internal.Pages;

namespace Strata.Dashboard.Internal;

/// <summary>
/// The API-keys section, shown when the host registered Strata.ApiKeys: the list, the revoke and rotate confirmation
/// pages, and the actions (disable, enable, revoke, rotate) behind the read-only and antiforgery checks.
/// </summary>
internal static class ApiKeyRoutes
{
    public const string Path = "/keys";

    public static void Map(RouteGroupBuilder group, DashboardSettings settings)
    {
        group.MapGet(Path, DashboardRoutes.Get(settings, r => Keys(r, async manager => (IResult)await ApiKeysPage.RenderAsync(r, manager).ConfigureAwait(false))));
        foreach (var step in (string[])["revoke", "rotate"])
        {
            group.MapGet(Path + "/{id}/" + step, DashboardRoutes.Get(settings, r => Keys(r, async manager =>
                (IResult)await ApiKeyConfirmPage.RenderAsync(r, manager, DashboardRoutes.RouteValue(r, "id"), step).ConfigureAwait(false))));
        }

        foreach (var action in (string[])["disable", "enable", "revoke"])
        {
            group.MapPost(Path + "/{id}/" + action, (HttpContext context, string id) =>
                DashboardRoutes.Action(context, settings, (r, _) => Keys(r, manager => ChangeAsync(r, manager, id, action))));
        }

        group.MapPost(Path + "/{id}/rotate", (HttpContext context, string id) =>
            DashboardRoutes.Action(context, settings, (r, form) => Keys(r, async manager =>
                (IResult)await ApiKeyRotatedPage.RotateAsync(r, manager, id, form["overlap"].ToString()).ConfigureAwait(false))));
    }

    private static async Task<IResult> ChangeAsync(DashboardRequest request, IApiKeyManager manager, string id, string action)
    {
        var found = action switch
        {
            "disable" => await manager.DisableAsync(id, request.Aborted).ConfigureAwait(false),
            "enable" => await manager.EnableAsync(id, request.Aborted).ConfigureAwait(false),
            _ => await manager.RevokeAsync(id, request.Aborted).ConfigureAwait(false),
        };
        return found ? DashboardRoutes.SeeOther(request, Path) : NoKey(request, id);
    }

    /// <summary>A 404 page for a key id the manager does not know.</summary>
    internal static HtmlPageResult NoKey(DashboardRequest request, string id) =>
        request.Error(StatusCodes.Status404NotFound, "Key not found", $"No API key has the id '{id}'.");

    /// <summary>Runs an API-keys page or action when the host registered Strata.ApiKeys, else a 404 page that says so.</summary>
    private static async Task<IResult> Keys(DashboardRequest request, Func<IApiKeyManager, Task<IResult>> run)
    {
        if (request.Service<IApiKeyManager>() is not { } manager)
        {
            return request.Error(StatusCodes.Status404NotFound, "API keys not registered",
                "This host did not register Strata.ApiKeys (AddStrataApiKeys()), so the dashboard has no API-keys section.");
        }

        return await run(manager).ConfigureAwait(false);
    }
}
