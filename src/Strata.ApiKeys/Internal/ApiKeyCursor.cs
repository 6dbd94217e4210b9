using System.Globalization;
using System.Text;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// The opaque page cursor: the position (creation time in UTC ticks, id) of the last key of a page, as base64url
/// text. It names a key rather than a count, so keys created or deleted meanwhile never shift a page.
/// </summary>
internal static class ApiKeyCursor
{
    public static string For(ApiKeyRecord last)
    {
        var text = last.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + ":" + last.Id;
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static (DateTimeOffset CreatedAt, string Id) Parse(string cursor, string parameter)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0
                && colon < text.Length - 1
                && long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks)
            {
                return (new DateTimeOffset(ticks, TimeSpan.Zero), text[(colon + 1)..]);
            }
        }
        catch (FormatException)
        {
        }

        throw new ArgumentException("Cursor is not valid: pass the NextCursor of the previous page unchanged, or null for the first page.", parameter);
    }
}
