using System.Security.Cryptography;
using System.Text;

namespace Strata.ApiKeys.Internal;

/// <summary>Hashes keys with SHA-256, or HMAC-SHA256 keyed by the pepper. Holds no key material beyond the pepper.</summary>
internal sealed class ApiKeyHasher
{
    public const int HashSize = 32;
    private const int MaxKeyBytes = 256;
    private const string CacheKeyPrefix = "strata:apikeys:";
    private readonly byte[]? _pepper;

    /// <summary>
    /// A keyed HMAC context per thread, reused across calls: the one-shot HMAC prepares the key and a native context
    /// on every call, which costs more than the hash itself (about 2 µs against 0.8 µs, run M in
    /// docs/benchmarks/apikeys.md). Owned by one hasher (one pepper) at a time.
    /// </summary>
    [ThreadStatic]
    private static IncrementalHash? _hmac;

    [ThreadStatic]
    private static ApiKeyHasher? _hmacOwner;

    public ApiKeyHasher(string? pepper)
    {
        _pepper = string.IsNullOrEmpty(pepper) ? null : Encoding.UTF8.GetBytes(pepper);
    }

    public void Hash(ReadOnlySpan<char> key, Span<byte> destination)
    {
        var byteCount = Encoding.UTF8.GetByteCount(key);
        var rented = byteCount <= MaxKeyBytes ? null : new byte[byteCount];
        Span<byte> bytes = rented ?? stackalloc byte[MaxKeyBytes];
        var written = Encoding.UTF8.GetBytes(key, bytes);
        var data = bytes[..written];
        if (_pepper is null)
        {
            SHA256.HashData(data, destination);
        }
        else
        {
            var hmac = _hmac;
            if (hmac is null || !ReferenceEquals(_hmacOwner, this))
            {
                hmac?.Dispose();
                hmac = _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _pepper);
                _hmacOwner = this;
            }

            hmac.AppendData(data);
            hmac.GetHashAndReset(destination);
        }

        CryptographicOperations.ZeroMemory(data);
    }

    /// <summary>Length in characters of a cache key: the prefix and 22 base64url characters (128 bits).</summary>
    public const int CacheKeyLength = 15 + 22;

    /// <summary>
    /// The cache key for a key hash: <c>strata:apikeys:</c> and the base64url of the hash's first 16 bytes.
    /// </summary>
    /// <remarks>
    /// No second cryptographic hash is needed. The key hash is already SHA-256 (or HMAC-SHA256 with the pepper) of a
    /// 256-bit random secret, so any part of it is a pseudo-random value from which the secret cannot be recovered.
    /// Truncating it to 128 bits keeps the stored hash itself out of the cache (a cache key never equals or contains
    /// a stored hash) while collisions stay out of reach (2^64 keys for a chance collision; 2^128 work to find a
    /// secret whose hash starts like a victim's). What a reader of the distributed cache learns: which truncated
    /// hashes were looked up and their records (id, owner, scopes; never a secret or a full hash), which is enough to
    /// match a cache entry to a row of a leaked store table, not enough to authenticate or to test a guessed key
    /// faster than hashing it (and with a pepper, not at all without the pepper).
    /// </remarks>
    public static string CacheKeyFor(ReadOnlySpan<byte> hash)
    {
        Span<char> chars = stackalloc char[CacheKeyLength];
        WriteCacheKey(hash, chars);
        return new string(chars);
    }

    /// <summary>Writes the cache key of <paramref name="hash"/> into <paramref name="destination"/> (<see cref="CacheKeyLength"/> characters).</summary>
    public static void WriteCacheKey(ReadOnlySpan<byte> hash, Span<char> destination)
    {
        CacheKeyPrefix.AsSpan().CopyTo(destination);
        WriteBase64Url(hash[..16], destination[CacheKeyPrefix.Length..CacheKeyLength]);
    }

    /// <summary>
    /// Unpadded base64url of 16 bytes into 22 characters, with the framework's encoder (System.Buffers.Text.Base64Url
    /// from .NET 9; on net8.0, base64 translated, so the package takes no dependency for it). FrameworkPrimitivesBenchmarks
    /// (issue #19; docs/benchmarks.md) against the hand-written encoder Strata used before, two runs: 2.16 and 2.19 times
    /// its time (about 20 ns more; the net8.0 way 8.75 and 4.91 times). A loss, not one worth keeping 40 lines of
    /// encoder for: about 3 % of a cached lookup (0.62 to 0.68 µs on a quiet machine), which the CRC-32 switch in the
    /// same path pays back (about 22 ns saved per key check).
    /// </summary>
    private static void WriteBase64Url(ReadOnlySpan<byte> bytes, Span<char> destination)
    {
#if NET9_0_OR_GREATER
        System.Buffers.Text.Base64Url.EncodeToChars(bytes, destination);
#else
        Span<char> padded = stackalloc char[24];
        Convert.TryToBase64Chars(bytes, padded, out _);
        var chars = padded[..destination.Length];
        chars.Replace('+', '-');
        chars.Replace('/', '_');
        chars.CopyTo(destination);
#endif
    }
}
