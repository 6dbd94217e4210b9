namespace Strata.ApiKeys.Internal;

/// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum used by zlib and PNG.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = CreateTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>The CRC32 of the ASCII bytes of <paramref name="ascii"/> (every character must be below 128).</summary>
    public static uint Compute(ReadOnlySpan<char> ascii)
    {
        var table = Table;
        var crc = 0xFFFFFFFFu;
        foreach (var c in ascii)
        {
            crc = table[(int)((crc ^ c) & 0xFF)] ^ (crc >> 8);
        }

        return ~crc;
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
