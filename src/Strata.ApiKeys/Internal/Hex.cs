#if !NET9_0_OR_GREATER
using System.Buffers;
#endif

namespace Strata.ApiKeys.Internal;

/// <summary>
/// Lower-case hex of stored key hashes, by <see cref="Convert"/>. Its span overloads (ToHexStringLower, FromHexString
/// into a span) arrived in .NET 9; the net8.0 build takes the string overloads instead. FrameworkPrimitivesBenchmarks
/// (issue #19; docs/benchmarks.md), against the hand-written loops Strata used before, 32 bytes, two runs: encoding
/// 0.67 and 0.76 of their time (net8.0 way: 0.76 and 1.18, allocating 304 B instead of 152 B), decoding 0.82 and
/// 0.77 (net8.0 way: 1.13 and 0.43, allocating 56 B). Hashes are hex-coded off the cached hot path.
/// </summary>
internal static class Hex
{
#if !NET9_0_OR_GREATER
    private static readonly SearchValues<char> Digits = SearchValues.Create("0123456789abcdefABCDEF");
#endif

    public static string ToLower(ReadOnlySpan<byte> bytes) =>
#if NET9_0_OR_GREATER
        Convert.ToHexStringLower(bytes);
#else
        Convert.ToHexString(bytes).ToLowerInvariant();
#endif

    /// <summary>Decodes hex (either case) into <paramref name="destination"/>; false when not exactly that many bytes of hex.</summary>
    public static bool TryDecode(string? hex, Span<byte> destination)
    {
        if (hex is null || hex.Length != destination.Length * 2)
        {
            return false;
        }

#if NET9_0_OR_GREATER
        return Convert.FromHexString(hex, destination, out _, out var written) == System.Buffers.OperationStatus.Done && written == destination.Length;
#else
        if (hex.AsSpan().ContainsAnyExcept(Digits))
        {
            return false;
        }

        Convert.FromHexString(hex).CopyTo(destination);
        return true;
#endif
    }
}
