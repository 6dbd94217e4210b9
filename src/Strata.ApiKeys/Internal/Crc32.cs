using System.Text;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// The key checksum: CRC-32 (IEEE 802.3, the one zlib and PNG use), computed by <see cref="System.IO.Hashing.Crc32"/>.
/// FrameworkPrimitivesBenchmarks measured it against the hand-written slicing-by-4 loop Strata used before, on a
/// 51-character key body: 0.59 and 0.74 of its time in two runs (issue #19; docs/benchmarks.md).
/// </summary>
internal static class Crc32
{
    private const int StackLimit = 256;

    public static uint Compute(ReadOnlySpan<byte> data) => System.IO.Hashing.Crc32.HashToUInt32(data);

    /// <summary>The CRC-32 of the ASCII bytes of <paramref name="ascii"/> (every character must be below 128).</summary>
    public static uint Compute(ReadOnlySpan<char> ascii)
    {
        Span<byte> bytes = ascii.Length <= StackLimit ? stackalloc byte[ascii.Length] : new byte[ascii.Length];
        Ascii.FromUtf16(ascii, bytes, out _);
        return System.IO.Hashing.Crc32.HashToUInt32(bytes);
    }
}
