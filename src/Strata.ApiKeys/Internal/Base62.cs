namespace Strata.ApiKeys.Internal;

/// <summary>Base62 alphabet (0-9, A-Z, a-z) and fixed-width encoding of 32-bit values.</summary>
internal static class Base62
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>The alphabet for vectorised scans (<c>IndexOfAnyExcept</c>).</summary>
    public static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create(Alphabet);

    /// <summary>Digits needed for any 32-bit value: 62^6 is above 2^32.</summary>
    public const int UInt32Width = 6;

    public static bool IsDigit(char c) => c is (>= '0' and <= '9') or (>= 'A' and <= 'Z') or (>= 'a' and <= 'z');

    public static int ValueOf(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'Z' => c - 'A' + 10,
        >= 'a' and <= 'z' => c - 'a' + 36,
        _ => -1,
    };

    public static void EncodeUInt32(uint value, Span<char> destination)
    {
        for (var i = UInt32Width - 1; i >= 0; i--)
        {
            destination[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }
    }

    public static bool TryDecodeUInt32(ReadOnlySpan<char> digits, out uint value)
    {
        ulong result = 0;
        foreach (var c in digits)
        {
            var digit = ValueOf(c);
            if (digit < 0)
            {
                value = 0;
                return false;
            }

            result = (result * 62) + (uint)digit;
        }

        if (result > uint.MaxValue)
        {
            value = 0;
            return false;
        }

        value = (uint)result;
        return true;
    }
}
