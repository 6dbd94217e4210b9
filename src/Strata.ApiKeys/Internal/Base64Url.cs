namespace Strata.ApiKeys.Internal;

/// <summary>Unpadded base64url of 16 bytes, written into a span (the cache key; no allocation, on net8 too).</summary>
internal static class Base64Url
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>Writes the unpadded base64url of <paramref name="bytes"/> into <paramref name="destination"/> (exactly ceil(4n/3) characters).</summary>
    public static void Write(ReadOnlySpan<byte> bytes, Span<char> destination)
    {
        if (destination.Length != ((bytes.Length * 4) + 2) / 3)
        {
            throw new ArgumentException("The destination length does not match the input.", nameof(destination));
        }

        var o = 0;
        var i = 0;
        for (; i + 3 <= bytes.Length; i += 3)
        {
            var v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
            destination[o++] = Alphabet[(v >> 18) & 0x3F];
            destination[o++] = Alphabet[(v >> 12) & 0x3F];
            destination[o++] = Alphabet[(v >> 6) & 0x3F];
            destination[o++] = Alphabet[v & 0x3F];
        }

        var rest = bytes.Length - i;
        if (rest == 1)
        {
            var v = bytes[i] << 16;
            destination[o++] = Alphabet[(v >> 18) & 0x3F];
            destination[o] = Alphabet[(v >> 12) & 0x3F];
        }
        else if (rest == 2)
        {
            var v = (bytes[i] << 16) | (bytes[i + 1] << 8);
            destination[o++] = Alphabet[(v >> 18) & 0x3F];
            destination[o++] = Alphabet[(v >> 12) & 0x3F];
            destination[o] = Alphabet[(v >> 6) & 0x3F];
        }
    }
}
