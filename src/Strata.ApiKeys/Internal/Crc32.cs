namespace Strata.ApiKeys.Internal;

/// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum used by zlib and PNG.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = CreateTable();
    private static readonly uint[] Slice1 = NextSlice(Table);
    private static readonly uint[] Slice2 = NextSlice(Slice1);
    private static readonly uint[] Slice3 = NextSlice(Slice2);

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>
    /// The CRC32 of the ASCII bytes of <paramref name="ascii"/> (every character must be below 128), four characters
    /// per step ("slicing by 4": the same result as the byte-wise loop, a third of the table lookups' latency).
    /// </summary>
    public static uint Compute(ReadOnlySpan<char> ascii)
    {
        var t0 = Table;
        var t1 = Slice1;
        var t2 = Slice2;
        var t3 = Slice3;
        var crc = 0xFFFFFFFFu;
        var i = 0;
        for (; i + 4 <= ascii.Length; i += 4)
        {
            crc ^= ascii[i] | ((uint)ascii[i + 1] << 8) | ((uint)ascii[i + 2] << 16) | ((uint)ascii[i + 3] << 24);
            crc = t3[(int)(crc & 0xFF)] ^ t2[(int)((crc >> 8) & 0xFF)] ^ t1[(int)((crc >> 16) & 0xFF)] ^ t0[(int)(crc >> 24)];
        }

        for (; i < ascii.Length; i++)
        {
            crc = t0[(int)((crc ^ ascii[i]) & 0xFF)] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>Table k gives the CRC of a byte followed by k zero bytes (for slicing by 4).</summary>
    private static uint[] NextSlice(uint[] previous)
    {
        var table = new uint[256];
        for (var n = 0; n < 256; n++)
        {
            table[n] = (previous[n] >> 8) ^ Table[(int)(previous[n] & 0xFF)];
        }

        return table;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
