using System.Security.Cryptography;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys;

/// <summary>
/// The key format <c>{prefix}_{secret}{checksum}</c>: a prefix, 43 base62 characters of secret (256 bits
/// from <see cref="RandomNumberGenerator"/>) and a 6-character base62 CRC32 of <c>{prefix}_{secret}</c>.
/// </summary>
public static class ApiKeyFormat
{
    /// <summary>Length of the secret part: 43 base62 characters carry at least 256 bits.</summary>
    public const int SecretLength = 43;

    /// <summary>Length of the checksum part: 6 base62 characters.</summary>
    public const int ChecksumLength = Base62.UInt32Width;

    /// <summary>Longest prefix accepted: 32 characters.</summary>
    public const int MaxPrefixLength = 32;

    /// <summary>The regular expression that matches keys of any prefix (for secret scanners).</summary>
    public const string Pattern = @"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*_[0-9A-Za-z]{49}\b";

    /// <summary>Creates a new well-formed key with the given prefix.</summary>
    /// <param name="prefix">The prefix, for example <c>sk_live</c>.</param>
    /// <returns>The plaintext key. Show it once; store only its hash.</returns>
    /// <exception cref="ArgumentException">The prefix is not a valid prefix.</exception>
    public static string Generate(string prefix)
    {
        ValidatePrefix(prefix);
        var length = prefix.Length + 1 + SecretLength + ChecksumLength;
        return string.Create(length, prefix, static (span, p) =>
        {
            p.AsSpan().CopyTo(span);
            span[p.Length] = '_';
            var secret = span.Slice(p.Length + 1, SecretLength);
            RandomNumberGenerator.GetItems(Base62.Alphabet, secret);
            var body = span[..(p.Length + 1 + SecretLength)];
            Base62.EncodeUInt32(Checksum(body), span[body.Length..]);
        });
    }

    /// <summary>Tells whether <paramref name="key"/> is a well-formed key with the given prefix (format and checksum; no store lookup).</summary>
    /// <param name="key">The candidate key.</param>
    /// <param name="prefix">The expected prefix.</param>
    /// <returns><see langword="true"/> when the key has the prefix, the right length and characters, and a matching checksum.</returns>
    public static bool IsWellFormed(ReadOnlySpan<char> key, string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (key.Length != prefix.Length + 1 + SecretLength + ChecksumLength
            || !key.StartsWith(prefix, StringComparison.Ordinal)
            || key[prefix.Length] != '_'
            || !System.Text.Ascii.IsValid(prefix))
        {
            return false;
        }

        // Secret and checksum: base62 only (a vectorised scan), then the CRC32 of the ASCII body, read from the
        // characters directly (every one of them is ASCII by now).
        if (key[(prefix.Length + 1)..].IndexOfAnyExcept(Base62.Digits) >= 0)
        {
            return false;
        }

        var body = key[..(prefix.Length + 1 + SecretLength)];
        return Base62.TryDecodeUInt32(key[body.Length..], out var checksum) && checksum == Crc32.Compute(body);
    }

    /// <summary>Tells whether <paramref name="prefix"/> is a valid prefix: lower-case ASCII letters and digits in <c>_</c>-separated parts, starting with a letter, at most 32 characters.</summary>
    /// <param name="prefix">The candidate prefix.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidPrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > MaxPrefixLength || prefix[0] is < 'a' or > 'z' || prefix[^1] == '_')
        {
            return false;
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            var c = prefix[i];
            var ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') || (c == '_' && prefix[i - 1] != '_');
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Computes the hash stored for a key: lower-case hex SHA-256 of its UTF-8 bytes, or HMAC-SHA256 keyed
    /// with the UTF-8 bytes of <paramref name="pepper"/> when one is given.
    /// </summary>
    /// <param name="key">The plaintext key.</param>
    /// <param name="pepper">The server-side pepper, or <see langword="null"/> for plain SHA-256.</param>
    /// <returns>64 lower-case hex characters.</returns>
    public static string ComputeHash(string key, string? pepper = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hasher = new ApiKeyHasher(pepper);
        Span<byte> hash = stackalloc byte[ApiKeyHasher.HashSize];
        hasher.Hash(key, hash);
        return Hex.ToLower(hash);
    }

    internal static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (!IsValidPrefix(prefix))
        {
            throw new ArgumentException(
                $"The API-key prefix '{prefix}' is not valid: use lower-case ASCII letters and digits in '_'-separated parts, starting with a letter, at most {MaxPrefixLength} characters (for example 'sk_live').",
                nameof(prefix));
        }
    }

    private static uint Checksum(ReadOnlySpan<char> body) => Crc32.Compute(body);
}
