using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

public sealed class KeyFormatTests
{
    [Fact]
    public void Generated_key_has_prefix_43_secret_and_6_checksum_characters_and_is_well_formed()
    {
        var key = ApiKeyFormat.Generate("sk_live");

        key.Should().StartWith("sk_live_");
        key.Length.Should().Be("sk_live_".Length + 43 + 6);
        key["sk_live_".Length..].Should().MatchRegex("^[0-9A-Za-z]{49}$");
        ApiKeyFormat.IsWellFormed(key, "sk_live").Should().BeTrue();
    }

    [Fact]
    public void Secret_part_carries_at_least_256_bits()
    {
        // 256 bits need 43 positions that each take any of 62 characters (43 * log2(62) = 256.03): a position stuck on
        // fewer characters, or a shorter secret, carries less. With 3000 keys a character a position can take is
        // missing by chance with odds below 1e-20.
        const int secretStart = 3;
        var seen = Enumerable.Range(0, ApiKeyFormat.SecretLength).Select(_ => new HashSet<char>()).ToArray();
        for (var i = 0; i < 3000; i++)
        {
            var key = ApiKeyFormat.Generate("sk");
            for (var position = 0; position < seen.Length; position++)
            {
                seen[position].Add(key[secretStart + position]);
            }
        }

        seen.Should().HaveCount(43);
        seen.Should().AllSatisfy(characters => characters.Should().HaveCount(62));
        (seen.Length * Math.Log2(seen.Min(characters => characters.Count))).Should().BeGreaterThanOrEqualTo(256);
    }

    [Fact]
    public void Generated_keys_do_not_repeat()
        => Enumerable.Range(0, 2000).Select(_ => ApiKeyFormat.Generate("sk")).Distinct().Should().HaveCount(2000);

    [Fact]
    public void Published_regular_expressions_match_generated_keys_in_text()
    {
        var key = ApiKeyFormat.Generate("sk_live");
        var text = $"config: token={key}\n";

        Regex.Match(text, @"\bsk_live_[0-9A-Za-z]{49}\b").Value.Should().Be(key);
        Regex.Match(text, ApiKeyFormat.Pattern).Value.Should().Be(key);
    }

    [Fact]
    public void Readme_publishes_the_same_pattern_as_the_code()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Strata.ApiKeys", "README.md"));

        readme.Should().Contain(ApiKeyFormat.Pattern);
        readme.Should().Contain(@"\bsk_live_[0-9A-Za-z]{49}\b");
    }

    [Fact]
    public void Every_single_character_substitution_is_caught_by_the_checksum()
    {
        var key = ApiKeyFormat.Generate("sk_test");
        for (var i = "sk_test_".Length; i < key.Length; i++)
        {
            foreach (var replacement in "0aZ")
            {
                if (key[i] == replacement)
                {
                    continue;
                }

                var mutated = string.Concat(key.AsSpan(0, i), replacement.ToString(), key.AsSpan(i + 1));
                ApiKeyFormat.IsWellFormed(mutated, "sk_test").Should().BeFalse($"position {i} changed");
            }
        }
    }

    [Fact]
    public void Keys_are_case_sensitive()
    {
        var key = ApiKeyFormat.Generate("sk_test");
        var flipped = "sk_test_" + new string(key["sk_test_".Length..].Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)).ToArray());

        flipped.Should().NotBe(key);
        ApiKeyFormat.IsWellFormed(flipped, "sk_test").Should().BeFalse();
        ApiKeyFormat.ComputeHash(flipped).Should().NotBe(ApiKeyFormat.ComputeHash(key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sk_test")]
    [InlineData("sk_test_")]
    [InlineData("sk_live_0000000000000000000000000000000000000000000000000")]
    [InlineData("sk_test_00000000000000000000000000000000000000000000000!0")]
    [InlineData("sk_test_é0000000000000000000000000000000000000000000000")]
    [InlineData("SK_TEST_0000000000000000000000000000000000000000000000000")]
    public void Malformed_keys_are_rejected(string candidate)
        => ApiKeyFormat.IsWellFormed(candidate, "sk_test").Should().BeFalse();

    [Theory]
    [InlineData("sk", true)]
    [InlineData("sk_live", true)]
    [InlineData("acme_sk_test2", true)]
    [InlineData("", false)]
    [InlineData("Sk", false)]
    [InlineData("1sk", false)]
    [InlineData("sk_", false)]
    [InlineData("sk__live", false)]
    [InlineData("sk-live", false)]
    [InlineData("abcdefghijklmnopqrstuvwxyzabcdefg", false)]
    public void Prefix_rules_are_enforced(string prefix, bool valid)
    {
        ApiKeyFormat.IsValidPrefix(prefix).Should().Be(valid);
        var generate = () => ApiKeyFormat.Generate(prefix);
        if (valid)
        {
            generate.Should().NotThrow();
        }
        else
        {
            generate.Should().Throw<ArgumentException>().WithMessage("*prefix*");
        }
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value()
        => Crc32.Compute(Encoding.ASCII.GetBytes("123456789")).Should().Be(0xCBF43926u);

    [Fact]
    public void Crc32_over_characters_equals_crc32_over_their_ascii_bytes_at_every_length()
    {
        Crc32.Compute("123456789".AsSpan()).Should().Be(0xCBF43926u);
        var random = new Random(3);
        for (var length = 0; length <= 80; length++)
        {
            var text = new string(Enumerable.Range(0, length).Select(_ => (char)random.Next(0, 128)).ToArray());
            Crc32.Compute(text.AsSpan()).Should().Be(Crc32.Compute(Encoding.ASCII.GetBytes(text)), $"length {length}");
        }
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(61u)]
    [InlineData(62u)]
    [InlineData(0xCBF43926u)]
    [InlineData(uint.MaxValue)]
    public void Base62_round_trips_32_bit_values_in_six_digits(uint value)
    {
        Span<char> digits = stackalloc char[6];
        Base62.EncodeUInt32(value, digits);

        Base62.TryDecodeUInt32(digits, out var decoded).Should().BeTrue();
        decoded.Should().Be(value);
    }

    [Fact]
    public void Base62_rejects_values_above_32_bits()
        => Base62.TryDecodeUInt32("zzzzzz", out _).Should().BeFalse();

    [Fact]
    public void Hash_is_lower_case_hex_sha256_of_the_key()
    {
        var key = ApiKeyFormat.Generate("sk");

        var expected = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();

        ApiKeyFormat.ComputeHash(key).Should().Be(expected);
    }

    [Fact]
    public void Hash_with_pepper_is_hmac_sha256_and_differs_from_plain_sha256()
    {
        var key = ApiKeyFormat.Generate("sk");
        const string Pepper = "a-server-side-pepper-of-32-chars!";

        var expected = Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Pepper), Encoding.UTF8.GetBytes(key))).ToLowerInvariant();

        ApiKeyFormat.ComputeHash(key, Pepper).Should().Be(expected);
        ApiKeyFormat.ComputeHash(key, Pepper).Should().NotBe(ApiKeyFormat.ComputeHash(key));
    }

    [Fact]
    public void Cache_key_is_not_the_stored_hash()
    {
        var key = ApiKeyFormat.Generate("sk");
        var hash = ApiKeyFormat.ComputeHash(key);
        var hashBytes = Convert.FromHexString(hash);

        var cacheKey = ApiKeyHasher.CacheKeyFor(hashBytes);

        cacheKey.Should().StartWith("strata:apikeys:");
        cacheKey.Should().HaveLength(ApiKeyHasher.CacheKeyLength);
        cacheKey.Should().NotContain(hash);
        cacheKey.Should().NotContain(hash[..16]);
        cacheKey.Should().NotContain(Convert.ToBase64String(hashBytes).TrimEnd('='));
    }

    [Fact]
    public void Cache_key_is_base64url_of_the_first_128_bits_of_the_hash()
    {
        var hash = Convert.FromHexString(ApiKeyFormat.ComputeHash(ApiKeyFormat.Generate("sk")));
        var expected = Convert.ToBase64String(hash, 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        ApiKeyHasher.CacheKeyFor(hash).Should().Be("strata:apikeys:" + expected);
    }

    [Fact]
    public void Different_keys_get_different_cache_keys()
    {
        var keys = Enumerable.Range(0, 1000)
            .Select(_ => ApiKeyHasher.CacheKeyFor(Convert.FromHexString(ApiKeyFormat.ComputeHash(ApiKeyFormat.Generate("sk")))))
            .ToHashSet(StringComparer.Ordinal);

        keys.Should().HaveCount(1000);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
    }
}
