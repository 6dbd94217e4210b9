using System.Net;

namespace Strata.ApiKeys.Tests;

public sealed class PepperTests
{
    private const string Pepper = "server-side-pepper-kept-in-a-secret-store";

    [Fact]
    public async Task With_a_pepper_keys_are_stored_as_hmac_and_still_authenticate()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.Pepper = Pepper);
        var created = await app.CreateKeyAsync();

        var stored = (await app.Store.Inner.FindByIdAsync(created.Record.Id))!;
        var response = await app.GetAsync("/me", created.Key);

        stored.Hash.Should().Be(ApiKeyFormat.ComputeHash(created.Key, Pepper));
        stored.Hash.Should().NotBe(ApiKeyFormat.ComputeHash(created.Key), "a leaked table alone cannot check guesses with plain SHA-256");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_key_hashed_without_the_pepper_is_unknown_to_a_peppered_host()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.Pepper = Pepper);
        var key = ApiKeyFormat.Generate("sk_test");
        await app.Store.Inner.CreateAsync(new StoredApiKey
        {
            Hash = ApiKeyFormat.ComputeHash(key),
            Record = new ApiKeyRecord { Id = "key_plain", Owner = "o" },
        });

        (await app.GetAsync("/me", key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        app.AllLogText().Should().NotContain(line => line.Contains(Pepper, StringComparison.Ordinal));
    }

    [Fact]
    public void Peppered_hash_is_HMAC_SHA256_of_the_key_and_stays_right_when_peppers_alternate_on_one_thread()
    {
        const string other = "another-pepper-of-at-least-32-characters";
        var key = ApiKeyFormat.Generate("sk_test");
        static string Expected(string k, string p)
            => Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(p), System.Text.Encoding.UTF8.GetBytes(k)));

        for (var i = 0; i < 3; i++)
        {
            ApiKeyFormat.ComputeHash(key, Pepper).Should().Be(Expected(key, Pepper));
            ApiKeyFormat.ComputeHash(key, other).Should().Be(Expected(key, other));
            ApiKeyFormat.ComputeHash(key).Should().Be(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key))));
        }
    }
}
