using System.Buffers.Text;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Strata.RateLimiting.Redis;

/// <summary>
/// Key layout: <c>{prefix}{policy}:{tag}</c> (the prefix as written, <c>strata:rl:</c> by default) (plus <c>:i</c> for the i-th rule of a policy with
/// several), where tag is the partition in braces, a Redis Cluster hash tag, so every key of one
/// partition lives in one slot. Partitions that are empty, long, non-ASCII, or contain braces, spaces,
/// control characters or a leading '#' are replaced by '#' and a SHA-256 of their text.
/// </summary>
internal static class RedisKeys
{
    public const int MaximumRawPartitionLength = 128;

    public static string Tag(string partition)
    {
        if (IsPlain(partition))
        {
            return "{" + partition + "}";
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(MemoryMarshal.AsBytes(partition.AsSpan()), hash);
        Span<byte> text = stackalloc byte[44];
        Base64.EncodeToUtf8(hash, text, out _, out var written);
        var encoded = System.Text.Encoding.ASCII.GetString(text[..written]).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return "{#" + encoded + "}";
    }

    /// <summary>The key of a policy with one rule: <c>{prefix}{policy}:{tag}</c>, built in one allocation for a plain partition.</summary>
    public static string Key(string prefix, string policy, string partition) =>
        IsPlain(partition)
            ? string.Concat([prefix, policy, ":{", partition, "}"])
            : string.Concat(prefix, policy, ":", Tag(partition));

    public static string Key(string prefix, string policy, string partitionTag, int index, int count) =>
        count == 1
            ? string.Concat(prefix, policy, ":", partitionTag)
            : string.Concat([prefix, policy, ":", partitionTag, ":", index.ToString(CultureInfo.InvariantCulture)]);

    private static bool IsPlain(string partition)
    {
        if (partition.Length is 0 or > MaximumRawPartitionLength || partition[0] == '#')
        {
            return false;
        }

        foreach (var c in partition)
        {
            if (c is < '!' or > '~' or '{' or '}')
            {
                return false;
            }
        }

        return true;
    }
}
