using System.Security.Cryptography;
using System.Text;

namespace Strata.ApiKeys.Tests;

/// <summary>
/// The hash of a key of any length: the hasher encodes keys of up to 256 UTF-8 bytes on the stack and longer ones on the
/// heap (the Stryker run after the gap tests, docs/testing.md, found that no test hashed a key past the stack buffer).
/// </summary>
public sealed class KeyHashLengthTests
{
    private const string Pepper = "a-server-side-pepper-of-32-chars!";

    public static TheoryData<string> Keys => new()
    {
        new string('k', 255),
        new string('k', 256),             // exactly the stack buffer
        new string('k', 257),             // one byte past it
        new string('é', 128),             // 256 UTF-8 bytes in 128 characters
        new string('é', 129),             // 258 UTF-8 bytes in 129 characters (under 256 characters)
        new string('k', 4096),
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public void Hash_of_a_key_of_any_length_is_sha256_of_its_utf8_bytes(string key)
    {
        var expected = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();

        ApiKeyFormat.ComputeHash(key).Should().Be(expected);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void Peppered_hash_of_a_key_of_any_length_is_hmac_sha256_of_its_utf8_bytes(string key)
    {
        var expected = Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Pepper), Encoding.UTF8.GetBytes(key))).ToLowerInvariant();

        ApiKeyFormat.ComputeHash(key, Pepper).Should().Be(expected);
    }
}
