using System.Security.Cryptography;
using System.Text;

namespace Strata.Reliability.Tests.Security;

/// <summary>
/// The documented key format (Strata.ApiKeys README, "Key format"), written independently of the package so the tests
/// can make keys of a valid shape that no store holds: <c>{prefix}_{43 base62}{6 base62 CRC32 of "{prefix}_{secret}"}</c>.
/// </summary>
internal static class KeyShapes
{
    public const string SamplePrefix = "sk_sample";
    public const int SecretLength = 43;
    public const int ChecksumLength = 6;
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A well-formed key (right length, alphabet and checksum) with a fresh random secret.</summary>
    public static string WellFormed(string prefix = SamplePrefix)
        => WithChecksum(prefix + "_" + RandomNumberGenerator.GetString(Base62, SecretLength));

    /// <summary>The real key with one secret character changed and the checksum recomputed: well-formed, right prefix, wrong secret.</summary>
    public static string WrongSecret(string key)
    {
        var body = key[..^ChecksumLength].ToCharArray();
        var at = body.Length - 10;
        body[at] = body[at] == 'a' ? 'b' : 'a';
        return WithChecksum(new string(body));
    }

    /// <summary>The secret part of a key: the 43 characters after <c>{prefix}_</c>.</summary>
    public static string SecretOf(string key) => key.Substring(key.Length - ChecksumLength - SecretLength, SecretLength);

    /// <summary>The documented stored hash: lower-case hex SHA-256 of the key's UTF-8 bytes, or its HMAC-SHA256 keyed by the pepper.</summary>
    public static string StoredHash(string key, string? pepper)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var hash = pepper is null ? SHA256.HashData(bytes) : HMACSHA256.HashData(Encoding.UTF8.GetBytes(pepper), bytes);
        return Convert.ToHexStringLower(hash);
    }

    public static bool HasValidChecksum(string key)
    {
        var body = key[..^ChecksumLength];
        return WithChecksum(body) == key;
    }

    private static string WithChecksum(string body)
    {
        var crc = Crc32(Encoding.UTF8.GetBytes(body));
        Span<char> digits = stackalloc char[ChecksumLength];
        for (var i = ChecksumLength - 1; i >= 0; i--)
        {
            digits[i] = Base62[(int)(crc % 62)];
            crc /= 62;
        }

        return body + new string(digits);
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bit by bit: slow and obviously right.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
