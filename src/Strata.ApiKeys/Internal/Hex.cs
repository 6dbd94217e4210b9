namespace Strata.ApiKeys.Internal;

internal static class Hex
{
    private const string Digits = "0123456789abcdef";

    public static string ToLower(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[bytes.Length * 2];
        Write(bytes, chars);
        return new string(chars);
    }

    /// <summary>Writes lower-case hex of <paramref name="bytes"/> into <paramref name="destination"/> (twice as long).</summary>
    public static void Write(ReadOnlySpan<byte> bytes, Span<char> destination)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = Digits[bytes[i] >> 4];
            destination[(2 * i) + 1] = Digits[bytes[i] & 0xF];
        }
    }

    /// <summary>Decodes hex (either case) into <paramref name="destination"/>; false when not exactly that many bytes of hex.</summary>
    public static bool TryDecode(string? hex, Span<byte> destination)
    {
        if (hex is null || hex.Length != destination.Length * 2)
        {
            return false;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            var hi = ValueOf(hex[2 * i]);
            var lo = ValueOf(hex[(2 * i) + 1]);
            if (hi < 0 || lo < 0)
            {
                return false;
            }

            destination[i] = (byte)((hi << 4) | lo);
        }

        return true;
    }

    private static int ValueOf(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
