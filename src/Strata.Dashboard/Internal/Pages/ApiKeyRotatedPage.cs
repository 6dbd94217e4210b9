using Microsoft.AspNetCore.Http;
using Strata.ApiKeys;

namespace Strata.Dashboard.Internal.Pages;

/// <summary>
/// Rotates a key and shows its successor's plaintext, once: it is the answer to the POST (sent with
/// <c>Cache-Control: no-store</c>, as every dashboard response), never stored, logged or put in a URL. Sending the
/// form again is refused by the manager (the key was already rotated), so a reload cannot show it a second time.
/// </summary>
internal static class ApiKeyRotatedPage
{
    /// <summary>The overlaps offered: form value, label, duration.</summary>
    public static readonly (string Value, string Label, TimeSpan Overlap)[] Overlaps =
    [
        ("0", "no longer (ends now)", TimeSpan.Zero),
        ("1h", "1 more hour", TimeSpan.FromHours(1)),
        ("24h", "24 more hours", TimeSpan.FromHours(24)),
        ("7d", "7 more days", TimeSpan.FromDays(7)),
    ];

    public static async Task<HtmlPageResult> RotateAsync(DashboardRequest request, IApiKeyManager manager, string id, string overlapValue)
    {
        var choice = Array.FindIndex(Overlaps, o => string.Equals(o.Value, overlapValue, StringComparison.Ordinal));
        if (choice < 0)
        {
            throw new DashboardInputException(
                $"The overlap '{overlapValue}' is not one of {string.Join(", ", Overlaps.Select(o => o.Value))}; choose one on the rotate page.");
        }

        CreatedApiKey? created;
        try
        {
            created = await manager.RotateAsync(id, Overlaps[choice].Overlap, request.Aborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ApiKeyRotationException or ApiKeyConcurrencyException)
        {
            return request.Error(StatusCodes.Status409Conflict, "Not rotated", ex.Message + " Nothing was created.");
        }

        if (created is null)
        {
            return ApiKeyRoutes.NoKey(request, id);
        }

        var old = await manager.GetAsync(id, request.Aborted).ConfigureAwait(false);
        return request.Page("Key rotated", html =>
        {
            html.Markup("<p role=\"status\">The new key is shown here once. Copy it now: it is not stored, and this page cannot be shown again.</p>")
                .Markup("<p><label for=\"new-key\">New key <code>").Text(created.Record.Id).Markup("</code></label></p>")
                .Markup("<p><output id=\"new-key\"><code>").Text(created.Key).Markup("</code></output></p>")
                .Markup("<p>The old key <code>").Text(id).Markup("</code> works until ").Time(old?.ExpiresAt).Markup(".</p>")
                .Markup("<p>").Link(request.Url(ApiKeyRoutes.Path), "Back to the keys").Markup("</p>");
        });
    }
}
