using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Strata.ApiKeys;

namespace Strata.Benchmarks.Primitives;

/// <summary>
/// Issue #19: the framework's primitives against the hand-written ones src used before, on the inputs src gives
/// them: the CRC32 of an API key's 51-character body, lower-case hex of a 32-byte hash and back, the unpadded
/// base64url of a 16-byte cache key, and the 32 hex digits of a job id. Each category's baseline is the former
/// hand-written code, kept here (and only here) as <see cref="HandWritten"/>; the <c>Net8</c> methods are the
/// fallbacks src compiles for net8.0, measured on this runtime.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[BenchmarkCategory("Primitives")]
public class FrameworkPrimitivesBenchmarks
{
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    private readonly byte[] _hash = new byte[32];
    private readonly byte[] _decoded = new byte[32];
    private readonly char[] _chars = new char[64];
    private string _body = null!;
    private string _hex = null!;

    [GlobalSetup]
    public void Setup()
    {
        var key = ApiKeyFormat.Generate("sk_live");
        _body = key[..^ApiKeyFormat.ChecksumLength];
        RandomNumberGenerator.Fill(_hash);
        _hex = Convert.ToHexStringLower(_hash);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Crc32")]
    public uint Crc32_HandWritten() => HandWritten.Crc32(_body);

    [Benchmark, BenchmarkCategory("Crc32")]
    public uint Crc32_SystemIOHashing()
    {
        Span<byte> bytes = stackalloc byte[_body.Length];
        System.Text.Ascii.FromUtf16(_body, bytes, out _);
        return System.IO.Hashing.Crc32.HashToUInt32(bytes);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("HexLower")]
    public string HexLower_HandWritten() => HandWritten.HexLower(_hash);

    [Benchmark, BenchmarkCategory("HexLower")]
    public string HexLower_ConvertToHexStringLower() => Convert.ToHexStringLower(_hash);

    [Benchmark, BenchmarkCategory("HexLower")]
    public string HexLower_Net8() => Convert.ToHexString(_hash).ToLowerInvariant();

    [Benchmark(Baseline = true), BenchmarkCategory("HexDecode")]
    public bool HexDecode_HandWritten() => HandWritten.TryDecodeHex(_hex, _decoded);

    [Benchmark, BenchmarkCategory("HexDecode")]
    public bool HexDecode_ConvertFromHexString() =>
        Convert.FromHexString(_hex, _decoded, out _, out var written) == OperationStatus.Done && written == _decoded.Length;

    [Benchmark, BenchmarkCategory("HexDecode")]
    public bool HexDecode_Net8()
    {
        if (_hex.Length != _decoded.Length * 2 || _hex.AsSpan().ContainsAnyExcept(HexDigits))
        {
            return false;
        }

        Convert.FromHexString(_hex).CopyTo(_decoded, 0);
        return true;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Base64Url")]
    public char Base64Url_HandWritten()
    {
        HandWritten.Base64Url(_hash.AsSpan(0, 16), _chars.AsSpan(0, 22));
        return _chars[0];
    }

    [Benchmark, BenchmarkCategory("Base64Url")]
    public char Base64Url_Framework()
    {
        System.Buffers.Text.Base64Url.EncodeToChars(_hash.AsSpan(0, 16), _chars.AsSpan(0, 22));
        return _chars[0];
    }

    [Benchmark, BenchmarkCategory("Base64Url")]
    public char Base64Url_Net8()
    {
        Span<char> padded = stackalloc char[24];
        Convert.TryToBase64Chars(_hash.AsSpan(0, 16), padded, out _);
        padded[..22].Replace('+', '-');
        padded[..22].Replace('/', '_');
        padded[..22].CopyTo(_chars);
        return _chars[0];
    }

    [Benchmark(Baseline = true), BenchmarkCategory("JobIdHex")]
    public char JobIdHex_HandWritten()
    {
        HandWritten.HexLower(_hash.AsSpan(0, 16), _chars.AsSpan(0, 32));
        return _chars[0];
    }

    [Benchmark, BenchmarkCategory("JobIdHex")]
    public char JobIdHex_ConvertTryToHexStringLower()
    {
        Convert.TryToHexStringLower(_hash.AsSpan(0, 16), _chars.AsSpan(0, 32), out _);
        return _chars[0];
    }

    [Benchmark, BenchmarkCategory("JobIdHex")]
    public char JobIdHex_UInt64TryFormat()
    {
        BinaryPrimitives.ReadUInt64BigEndian(_hash).TryFormat(_chars.AsSpan(0, 16), out _, "x16", CultureInfo.InvariantCulture);
        BinaryPrimitives.ReadUInt64BigEndian(_hash.AsSpan(8)).TryFormat(_chars.AsSpan(16, 16), out _, "x16", CultureInfo.InvariantCulture);
        return _chars[0];
    }

    /// <summary>The hand-written primitives src used before issue #19, as they were (the baselines).</summary>
    private static class HandWritten
    {
        private const string Digits = "0123456789abcdef";
        private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        private static readonly uint[] T0 = CreateTable();
        private static readonly uint[] T1 = NextSlice(T0);
        private static readonly uint[] T2 = NextSlice(T1);
        private static readonly uint[] T3 = NextSlice(T2);

        /// <summary>Slicing by 4 over the characters, as Strata.ApiKeys' Crc32.Compute(ReadOnlySpan&lt;char&gt;) did.</summary>
        public static uint Crc32(ReadOnlySpan<char> ascii)
        {
            var crc = 0xFFFFFFFFu;
            var i = 0;
            for (; i + 4 <= ascii.Length; i += 4)
            {
                crc ^= ascii[i] | ((uint)ascii[i + 1] << 8) | ((uint)ascii[i + 2] << 16) | ((uint)ascii[i + 3] << 24);
                crc = T3[(int)(crc & 0xFF)] ^ T2[(int)((crc >> 8) & 0xFF)] ^ T1[(int)((crc >> 16) & 0xFF)] ^ T0[(int)(crc >> 24)];
            }

            for (; i < ascii.Length; i++)
            {
                crc = T0[(int)((crc ^ ascii[i]) & 0xFF)] ^ (crc >> 8);
            }

            return ~crc;
        }

        public static string HexLower(ReadOnlySpan<byte> bytes)
        {
            Span<char> chars = stackalloc char[bytes.Length * 2];
            HexLower(bytes, chars);
            return new string(chars);
        }

        public static void HexLower(ReadOnlySpan<byte> bytes, Span<char> destination)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                destination[2 * i] = Digits[bytes[i] >> 4];
                destination[(2 * i) + 1] = Digits[bytes[i] & 0xF];
            }
        }

        public static bool TryDecodeHex(string hex, Span<byte> destination)
        {
            if (hex.Length != destination.Length * 2)
            {
                return false;
            }

            for (var i = 0; i < destination.Length; i++)
            {
                var hi = ValueOf(hex[2 * i]);
                var lo = ValueOf(hex[(2 * i) + 1]);
                if (hi < 0 || lo < 0)
                {
                    return false;
                }

                destination[i] = (byte)((hi << 4) | lo);
            }

            return true;
        }

        /// <summary>16 bytes in, 22 characters out (the cache key's case).</summary>
        public static void Base64Url(ReadOnlySpan<byte> bytes, Span<char> destination)
        {
            var o = 0;
            var i = 0;
            for (; i + 3 <= bytes.Length; i += 3)
            {
                var v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
                destination[o++] = Alphabet[(v >> 18) & 0x3F];
                destination[o++] = Alphabet[(v >> 12) & 0x3F];
                destination[o++] = Alphabet[(v >> 6) & 0x3F];
                destination[o++] = Alphabet[v & 0x3F];
            }

            var last = bytes[i] << 16;
            destination[o++] = Alphabet[(last >> 18) & 0x3F];
            destination[o] = Alphabet[(last >> 12) & 0x3F];
        }

        private static int ValueOf(char c) => c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };

        private static uint[] NextSlice(uint[] previous)
        {
            var table = new uint[256];
            for (var n = 0; n < 256; n++)
            {
                table[n] = (previous[n] >> 8) ^ T0[(int)(previous[n] & 0xFF)];
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
}
