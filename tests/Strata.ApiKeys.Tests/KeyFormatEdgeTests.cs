using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

/// <summary>The edges of the key format's public contract: null arguments, the first secret character, prefix boundaries.</summary>
public sealed class KeyFormatEdgeTests
{
    [Fact]
    public void Public_format_methods_refuse_null_with_ArgumentNullException()
    {
        var key = ApiKeyFormat.Generate("sk_test");

        var wellFormed = () => ApiKeyFormat.IsWellFormed(key, null!);
        var hash = () => ApiKeyFormat.ComputeHash(null!);
        var hashWithPepper = () => ApiKeyFormat.ComputeHash(null!, "pepper");
        var generate = () => ApiKeyFormat.Generate(null!);

        wellFormed.Should().ThrowExactly<ArgumentNullException>().Which.ParamName.Should().Be("prefix");
        hash.Should().ThrowExactly<ArgumentNullException>().Which.ParamName.Should().Be("key");
        hashWithPepper.Should().ThrowExactly<ArgumentNullException>().Which.ParamName.Should().Be("key");
        generate.Should().ThrowExactly<ArgumentNullException>().Which.ParamName.Should().Be("prefix");
    }

    [Theory]
    [InlineData('!')]
    [InlineData('_')]
    [InlineData('-')]
    [InlineData(' ')]
    public void Key_with_an_invalid_first_character_after_the_prefix_is_malformed(char first)
    {
        // The checksum is computed over the invalid character too, so only the character check can refuse the key.
        var key = WithChecksum("sk_test_" + first + ApiKeyFormat.Generate("sk_test")["sk_test_".Length..][1..ApiKeyFormat.SecretLength]);
        var control = WithChecksum("sk_test_" + 'A' + key["sk_test_".Length..][1..ApiKeyFormat.SecretLength]);

        ApiKeyFormat.IsWellFormed(control, "sk_test").Should().BeTrue("the same key with a base62 first character is well-formed");
        ApiKeyFormat.IsWellFormed(key, "sk_test").Should().BeFalse($"'{first}' is not a base62 character");
    }

    [Theory]
    [InlineData("z")]
    [InlineData("a")]
    [InlineData("za")]
    [InlineData("az")]
    [InlineData("a0")]
    [InlineData("a9")]
    [InlineData("z_0")]
    [InlineData("a_9z")]
    [InlineData("abcdefghijklmnopqrstuvwxyzabcdef")]  // exactly 32 characters
    [InlineData("a_b_c_d_e_f_g_h_i_j_k_l_m_n_o_p9")] // 32 characters, every other one '_'
    public void Prefix_rules_accept_their_boundary_characters_and_length(string prefix)
    {
        ApiKeyFormat.IsValidPrefix(prefix).Should().BeTrue();
        var key = ApiKeyFormat.Generate(prefix);

        key.Should().StartWith(prefix + "_");
        ApiKeyFormat.IsWellFormed(key, prefix).Should().BeTrue();
    }

    [Theory]
    [InlineData("`a")]                                // the character before 'a'
    [InlineData("{a")]                                // the character after 'z'
    [InlineData("0a")]
    [InlineData("_a")]
    [InlineData("a`")]
    [InlineData("a{")]
    [InlineData("a/")]                                // the character before '0'
    [InlineData("a:")]                                // the character after '9'
    [InlineData("aA")]
    [InlineData("a__b")]
    [InlineData("a_")]
    [InlineData("abcdefghijklmnopqrstuvwxyzabcdefg")] // 33 characters
    public void Prefix_rules_refuse_the_characters_just_outside_their_ranges(string prefix)
    {
        ApiKeyFormat.IsValidPrefix(prefix).Should().BeFalse();
        var generate = () => ApiKeyFormat.Generate(prefix);

        generate.Should().ThrowExactly<ArgumentException>()
            .WithMessage($"*'{prefix}'*lower-case ASCII letters and digits*at most 32 characters*for example 'sk_live'*")
            .Which.ParamName.Should().Be("prefix");
    }

    [Fact]
    public void Prefix_error_message_names_the_prefix_and_the_fix()
    {
        var generate = () => ApiKeyFormat.Generate("Bad-Prefix");

        generate.Should().ThrowExactly<ArgumentException>()
            .WithMessage("The API-key prefix 'Bad-Prefix' is not valid: use lower-case ASCII letters and digits in '_'-separated parts, starting with a letter, at most 32 characters (for example 'sk_live').*");
    }

    private static string WithChecksum(string body)
    {
        body.Length.Should().Be("sk_test_".Length + ApiKeyFormat.SecretLength);
        Span<char> checksum = stackalloc char[ApiKeyFormat.ChecksumLength];
        Base62.EncodeUInt32(Crc32.Compute(body.AsSpan()), checksum);
        return body + new string(checksum);
    }
}
