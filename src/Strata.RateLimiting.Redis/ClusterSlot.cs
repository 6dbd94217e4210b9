using StackExchange.Redis;

namespace Strata.RateLimiting.Redis;

/// <summary>
/// The Redis Cluster hash slot of a key (CRC-16/XMODEM of its hash tag, modulo 16384), for a cluster of one node:
/// StackExchange.Redis reports no slot there (<c>HashSlot</c> answers -1), yet the server still refuses a script whose
/// keys span slots. .NET has no CRC-16; this bitwise form runs only in that case, once per decision.
/// </summary>
internal static class ClusterSlot
{
    public static int Of(RedisKey key)
    {
        ReadOnlySpan<byte> bytes = (byte[])key!;
        var open = bytes.IndexOf((byte)'{');
        if (open >= 0)
        {
            var close = bytes[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
            {
                bytes = bytes.Slice(open + 1, close);
            }
        }

        var crc = 0;
        foreach (var b in bytes)
        {
            crc ^= b << 8;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }

        return crc & 0x3FFF;
    }
}
