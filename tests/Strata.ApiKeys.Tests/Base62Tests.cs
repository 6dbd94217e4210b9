using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

/// <summary>The base62 helpers below the key format, at the edges of their alphabet.</summary>
public sealed class Base62Tests
{
    [Fact]
    public void Digit_test_agrees_with_the_alphabet_for_every_latin_1_character()
    {
        // IsDigit is the character check of the format before the vectorised scan; ApiKeyHotPathBenchmarks keeps it as
        // the baseline ("PreviousIsWellFormed"), so it must still agree with the alphabet.
        for (var c = '\0'; c <= '\u00FF'; c++)
        {
            Base62.IsDigit(c).Should().Be(Base62.Alphabet.Contains(c), $"U+{(int)c:X4}");
        }
    }

    [Theory]
    [InlineData('0', 0)]
    [InlineData('9', 9)]
    [InlineData('A', 10)]
    [InlineData('Z', 35)]
    [InlineData('a', 36)]
    [InlineData('z', 61)]
    [InlineData('/', -1)]
    [InlineData(':', -1)]
    [InlineData('@', -1)]
    [InlineData('[', -1)]
    [InlineData('`', -1)]
    [InlineData('{', -1)]
    [InlineData('é', -1)]
    public void Value_of_a_character_is_its_place_in_the_alphabet_or_minus_one(char c, int value)
        => Base62.ValueOf(c).Should().Be(value);

    [Theory]
    [InlineData("00000!")]
    [InlineData("!00000")]
    [InlineData("0000_0")]
    public void Decoding_refuses_a_character_outside_the_alphabet(string digits)
    {
        Base62.TryDecodeUInt32(digits, out var value).Should().BeFalse();
        value.Should().Be(0u);
    }

    [Fact]
    public void Decoding_accepts_the_largest_32_bit_value_and_refuses_the_next()
    {
        Span<char> digits = stackalloc char[Base62.UInt32Width];
        Base62.EncodeUInt32(uint.MaxValue, digits);
        var largest = new string(digits);

        Base62.TryDecodeUInt32(largest, out var value).Should().BeTrue();
        value.Should().Be(uint.MaxValue);

        // uint.MaxValue + 1 in six base62 digits: the last digit one higher (uint.MaxValue % 62 is 3, so no carry).
        var next = largest[..^1] + Base62.Alphabet[Base62.Alphabet.IndexOf(largest[^1], StringComparison.Ordinal) + 1];
        Base62.TryDecodeUInt32(next, out value).Should().BeFalse();
        value.Should().Be(0u);
    }
}
