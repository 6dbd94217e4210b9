using System.Globalization;
using System.Text;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>
/// The opaque cursor of a job search: the last job's (CreatedAt, Id) on the page, as <c>ms:id</c> in URL-safe Base64
/// without padding, so it travels in a query string unchanged.
/// </summary>
internal static class JobCursor
{
    public static string Encode(long createdAt, string id)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{createdAt}:{id}");
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The position a cursor names; throws <see cref="ArgumentException"/> naming <paramref name="paramName"/> when this backend did not make it.</summary>
    public static (long CreatedAt, string Id) Decode(string cursor, string paramName)
    {
        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 += (base64.Length % 4) switch { 2 => "==", 3 => "=", _ => string.Empty };
        var bytes = new byte[base64.Length];
        if (cursor.Length > 2048 || base64.Length % 4 != 0 || !Convert.TryFromBase64String(base64, bytes, out var length))
        {
            throw Malformed(paramName);
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed(paramName);
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1
            || !long.TryParse(text.AsSpan(0, colon), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var createdAt))
        {
            throw Malformed(paramName);
        }

        return (createdAt, text[(colon + 1)..]);
    }

    private static ArgumentException Malformed(string paramName) =>
        new("The cursor is not one this job backend made: pass the NextCursor of the page before, unchanged, or null for the first page.", paramName);
}
