using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Strata.ApiKeys;

namespace Strata.Benchmarks.ApiKeys;

/// <summary>
/// Not Strata's code path: the cost of the two SHA-256 computations a cache hit makes today (key hash, then a
/// hash of the hash for the cache key) against cheaper ways to get the same bytes, to size a possible change in
/// src. Each method returns the same 32 bytes as <see cref="OneShotSha256"/> for the same input.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("ApiKeys")]
public class HashAlternativesBenchmarks
{
    [ThreadStatic]
    private static IncrementalHash? _reused;

    [ThreadStatic]
    private static IncrementalHash? _reusedHmac;

    private readonly byte[] _pepper = Encoding.UTF8.GetBytes("benchmark-pepper-0123456789abcdef0123456789");

    private readonly byte[] _hash = new byte[32];
    private byte[] _keyBytes = null!;

    /// <summary>A key in Strata's format (57 ASCII bytes with the <c>sk_live</c> prefix).</summary>
    [GlobalSetup]
    public void Setup() => _keyBytes = Encoding.UTF8.GetBytes(ApiKeyFormat.Generate("sk_live"));

    /// <summary><c>SHA256.HashData</c>, as <c>ApiKeyHasher</c> calls it (a new native digest context per call).</summary>
    [Benchmark(Baseline = true)]
    public byte OneShotSha256()
    {
        SHA256.HashData(_keyBytes, _hash);
        return _hash[0];
    }

    /// <summary>One <see cref="IncrementalHash"/> per thread, reset after each hash (the native context is reused).</summary>
    [Benchmark]
    public byte ReusedIncrementalSha256()
    {
        var hash = _reused ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(_keyBytes);
        hash.GetHashAndReset(_hash);
        return _hash[0];
    }

    /// <summary><c>HMACSHA256.HashData</c> with the pepper, as <c>ApiKeyHasher</c> calls it when a pepper is set (since run G).</summary>
    [Benchmark]
    public byte OneShotHmacSha256()
    {
        HMACSHA256.HashData(_pepper, _keyBytes, _hash);
        return _hash[0];
    }

    /// <summary>One keyed <see cref="IncrementalHash"/> per thread, reset after each hash (key schedule and context reused; since run G).</summary>
    [Benchmark]
    public byte ReusedIncrementalHmacSha256()
    {
        var hmac = _reusedHmac ??= IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _pepper);
        hmac.AppendData(_keyBytes);
        hmac.GetHashAndReset(_hash);
        return _hash[0];
    }
}
