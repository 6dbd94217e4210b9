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

    public ApiKeyHasher(string? pepper)
    {
        _pepper = string.IsNullOrEmpty(pepper) ? null : Encoding.UTF8.GetBytes(pepper);
    }

    public bool UsesPepper => _pepper is not null;

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
            HMACSHA256.HashData(_pepper, data, destination);
        }

        CryptographicOperations.ZeroMemory(data);
    }

    /// <summary>The cache key for a stored hash: a second SHA-256, so cache keys (which a cache may log) never equal stored hashes.</summary>
    public static string CacheKeyFor(ReadOnlySpan<byte> hash)
    {
        Span<byte> derived = stackalloc byte[HashSize];
        SHA256.HashData(hash, derived);
        Span<char> chars = stackalloc char[CacheKeyPrefix.Length + (2 * HashSize)];
        CacheKeyPrefix.AsSpan().CopyTo(chars);
        Hex.Write(derived, chars[CacheKeyPrefix.Length..]);
        return new string(chars);
    }
}
