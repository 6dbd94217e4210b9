using System.Security.Cryptography;

namespace Strata.Jobs.Backends;

/// <summary>
/// Job ids: <c>{queue}.{32 hex digits}</c>, for backends. <see cref="Create"/> makes 128 random bits from the OS generator; the
/// in-memory backend's ids (<see cref="Format"/>) carry their record's slot in the first 8 digits and 96 random
/// bits in the other 24. The random bytes are drawn in batches per thread, so a busy producer does not pay a
/// system call per job.
/// </summary>
public static class JobIds
{
    private const int IdBytes = 16;
    private const int BatchIds = 64;
    private const int HexDigits = IdBytes * 2;

    private const string Digits = "0123456789abcdef";

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
            var hex = span[(state.queue.Length + 1)..];
            for (var i = 0; i < IdBytes; i++)
            {
                var b = state.buffer[state.offset + i];
                hex[2 * i] = Digits[b >> 4];
                hex[(2 * i) + 1] = Digits[b & 0xF];
            }
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
            var hex = span[(state.queue.Length + 1)..];
            WriteHex(hex[..8], (uint)state.slot, 8);
            WriteHex(hex[8..24], state.high, 16);
            WriteHex(hex[24..], state.low, 8);
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

    private static void WriteHex(Span<char> destination, ulong value, int digits)
    {
        for (var i = digits - 1; i >= 0; i--)
        {
            destination[i] = Digits[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    /// <summary>Lower-case hex only, as the ids are written.</summary>
    private static bool TryReadHex(ReadOnlySpan<char> hex, out ulong value)
    {
        value = 0;
        foreach (var c in hex)
        {
            int digit;
            if (c is >= '0' and <= '9')
            {
                digit = c - '0';
            }
            else if (c is >= 'a' and <= 'f')
            {
                digit = c - 'a' + 10;
            }
            else
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }
}
