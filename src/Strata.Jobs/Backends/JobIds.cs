using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Strata.Jobs.Backends;

/// <summary>
/// Job ids: <c>{queue}.{32 hex digits}</c>, for backends. <see cref="Create"/> makes 128 random bits from the OS generator; the
/// in-memory backend's ids (<see cref="Format"/>) carry their record's slot in the first 8 digits and 96 random
/// bits in the other 24. The random bytes are drawn in batches per thread, so a busy producer does not pay a
/// system call per job. The digits are written by <see cref="Convert"/> (net8.0, which lacks its span overload: by
/// <see cref="ulong.TryFormat(Span{char}, out int, ReadOnlySpan{char}, IFormatProvider?)"/>) and read by
/// <see cref="ulong.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?, out ulong)"/>. FrameworkPrimitivesBenchmarks
/// (issue #19; docs/benchmarks.md), 16 bytes against the hand-written loop Strata used before, two runs: 0.16 and 0.14
/// of its time (net8.0 way: 2.1 and 3.2 times, 40 to 65 ns more per id, taken over keeping a hand-written writer for
/// net8.0 alone).
/// </summary>
public static class JobIds
{
    private const int IdBytes = 16;
    private const int BatchIds = 64;
    private const int HexDigits = IdBytes * 2;

    private static readonly SearchValues<char> LowerHexDigits = SearchValues.Create("0123456789abcdef");

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int t_next;

    /// <summary>Makes a new job id for <paramref name="queue"/>: <c>{queue}.{32 lower-case hex digits}</c>, 128 random bits from the OS generator.</summary>
    /// <param name="queue">The queue.</param>
    /// <returns>The id.</returns>
    public static string Create(string queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var (buffer, offset) = NextRandom();
        return string.Create(queue.Length + 1 + HexDigits, (queue, buffer, offset), static (span, state) =>
        {
            state.queue.AsSpan().CopyTo(span);
            span[state.queue.Length] = '.';
            WriteHex(state.buffer.AsSpan(state.offset, IdBytes), span[(state.queue.Length + 1)..]);
        });
    }

    /// <summary>96 random bits for an id made by <see cref="Format"/>.</summary>
    internal static (ulong High, uint Low) RandomToken()
    {
        var (buffer, offset) = NextRandom();
        return (BitConverter.ToUInt64(buffer, offset), BitConverter.ToUInt32(buffer, offset + 8));
    }

    /// <summary><c>{queue}.{slot: 8 hex digits}{high: 16}{low: 8}</c>.</summary>
    internal static string Format(string queue, int slot, ulong high, uint low) =>
        string.Create(queue.Length + 1 + HexDigits, (queue, slot, high, low), static (span, state) =>
        {
            state.queue.AsSpan().CopyTo(span);
            span[state.queue.Length] = '.';
            Span<byte> bytes = stackalloc byte[IdBytes];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)state.slot);
            BinaryPrimitives.WriteUInt64BigEndian(bytes[4..], state.high);
            BinaryPrimitives.WriteUInt32BigEndian(bytes[12..], state.low);
            WriteHex(bytes, span[(state.queue.Length + 1)..]);
        });

    /// <summary>Reads the slot of an id made by <see cref="Format"/>; false when the id cannot be one.</summary>
    internal static bool TryParseSlot(string id, out int slot)
    {
        slot = 0;
        if (id.Length < HexDigits + 2 || id[^(HexDigits + 1)] != '.' || !TryReadHex(id.AsSpan(id.Length - HexDigits, 8), out var value) || value > int.MaxValue)
        {
            return false;
        }

        slot = (int)value;
        return true;
    }

    /// <summary>True when <paramref name="id"/> is the id <see cref="Format"/> makes of these parts (the slot is matched by the caller).</summary>
    internal static bool Matches(string id, string queue, ulong high, uint low) =>
        id.Length == queue.Length + 1 + HexDigits
        && id.AsSpan().StartsWith(queue, StringComparison.Ordinal)
        && TryReadHex(id.AsSpan(id.Length - 24, 16), out var h) && h == high
        && TryReadHex(id.AsSpan(id.Length - 8, 8), out var l) && l == low;

    private static (byte[] Buffer, int Offset) NextRandom()
    {
        var buffer = t_buffer;
        if (buffer is null || t_next >= BatchIds)
        {
            buffer = t_buffer ??= new byte[IdBytes * BatchIds];
            RandomNumberGenerator.Fill(buffer);
            t_next = 0;
        }

        return (buffer, t_next++ * IdBytes);
    }

    /// <summary>Lower-case hex of <paramref name="bytes"/> into <paramref name="destination"/> (twice as long).</summary>
    private static void WriteHex(ReadOnlySpan<byte> bytes, Span<char> destination)
    {
#if NET9_0_OR_GREATER
        Convert.TryToHexStringLower(bytes, destination, out _);
#else
        for (var i = 0; i < bytes.Length; i += 8)
        {
            BinaryPrimitives.ReadUInt64BigEndian(bytes[i..]).TryFormat(destination[(2 * i)..], out _, "x16", CultureInfo.InvariantCulture);
        }
#endif
    }

    /// <summary>Lower-case hex only, as the ids are written.</summary>
    private static bool TryReadHex(ReadOnlySpan<char> hex, out ulong value)
    {
        value = 0;
        return !hex.ContainsAnyExcept(LowerHexDigits)
            && ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
