using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Strata.ApiKeys.Tests;

/// <summary>Hostile and broken input over real HTTP: each gets 401 (never 500) and never reaches the store.</summary>
public sealed class BadInputTests
{
    public static TheoryData<string, string> BadKeys()
    {
        var good = ApiKeyFormat.Generate("sk_test");
        var badChecksum = good[..^1] + (good[^1] == 'A' ? 'B' : 'A');
        return new TheoryData<string, string>
        {
            { "empty", string.Empty },
            { "whitespace", "   \t  " },
            { "64 KiB", new string('a', 64 * 1024) },
            { "64 KiB of a valid-looking key", "sk_test_" + new string('A', (64 * 1024) - 8) },
            { "non-ASCII", "sk_test_" + new string('é', 49) },
            { "emoji", "sk_test_" + string.Concat(Enumerable.Repeat("\U0001F511", 24)) + "A" },
            { "control characters", "sk_test_\u0001\u0002\u0003" + good[11..] },
            { "NUL", good[..20] + "\0" + good[21..] },
            { "wrong prefix", ApiKeyFormat.Generate("sk_live") },
            { "bad checksum", badChecksum },
            { "truncated", good[..^1] },
            { "one character too many", good + "A" },
            { "upper-cased", good.ToUpperInvariant() },
            { "surrounded by spaces", " " + good + " " },
            { "two keys joined", good + "," + good },
        };
    }

    [Theory]
    // The data holds freshly generated keys, so each run names its cases differently; one test case at discovery keeps
    // the names stable for runners that match discovered tests to results (Stryker.NET, see build/mutation.sh).
    [MemberData(nameof(BadKeys), DisableDiscoveryEnumeration = true)]
    public async Task Bad_key_gets_401_and_never_reaches_the_store(string what, string value)
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.Enabled = false);

        var context = await app.SendRawAsync("/me", request => request.Headers[ApiKeyDefaults.HeaderName] = value);

        context.Response.StatusCode.Should().Be(StatusCodes.Status401Unauthorized, what);
        context.Response.Headers.WWWAuthenticate.ToString().Should().Be("ApiKey realm=\"api\"");
        app.Store.FindByHashCalls.Should().Be(0, what);
        AssertNoSecretInLogs(app, value);
    }

    [Fact]
    public async Task Repeated_header_gets_401_and_never_reaches_the_store()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.Enabled = false);
        var created = await app.CreateKeyAsync();

        var context = await app.SendRawAsync("/me", request => request.Headers.Append(ApiKeyDefaults.HeaderName, new[] { created.Key, created.Key }));

        context.Response.StatusCode.Should().Be(StatusCodes.Status401Unauthorized);
        app.Store.FindByHashCalls.Should().Be(0);
        AssertNoSecretInLogs(app, created.Key);
    }

    [Fact]
    public async Task Repeated_header_sent_by_HttpClient_gets_401_and_never_reaches_the_store()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.Enabled = false);
        var created = await app.CreateKeyAsync();

        var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation(ApiKeyDefaults.HeaderName, [created.Key, created.Key]);
        var response = await app.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Be("The API key is malformed.");
        app.Store.FindByHashCalls.Should().Be(0);
    }

    [Fact]
    public async Task Malformed_key_in_query_or_authorization_header_gets_401_without_store_lookup()
    {
        await using var app = await TestApp.StartAsync(
            auth: o =>
            {
                o.QueryParameterName = "key";
                o.AllowAuthorizationHeader = true;
            },
            keys: o => o.BruteForce.Enabled = false);

        var query = await app.Client.GetAsync("/me?key=sk_test_%00%01");
        var repeatedQuery = await app.Client.GetAsync("/me?key=a&key=b");
        var authorization = new HttpRequestMessage(HttpMethod.Get, "/me");
        authorization.Headers.TryAddWithoutValidation("Authorization", "ApiKey sk_test_short");
        var header = await app.Client.SendAsync(authorization);

        query.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        repeatedQuery.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        header.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        app.Store.FindByHashCalls.Should().Be(0);
    }

    [Fact]
    public async Task Bearer_token_with_the_prefix_but_malformed_gets_401_without_store_lookup()
    {
        await using var app = await TestApp.StartAsync(auth: o => o.AllowBearerToken = true, keys: o => o.BruteForce.Enabled = false);

        var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk_test_" + new string('x', 10));
        var response = await app.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Be("The API key is malformed.");
        app.Store.FindByHashCalls.Should().Be(0);
    }

    [Fact]
    public async Task Repeated_authorization_header_gets_401_without_store_lookup()
    {
        await using var app = await TestApp.StartAsync(auth: o => o.AllowAuthorizationHeader = true, keys: o => o.BruteForce.Enabled = false);
        var created = await app.CreateKeyAsync();

        var context = await app.SendRawAsync("/me", request => request.Headers.Append("Authorization", new[] { "ApiKey " + created.Key, "ApiKey " + created.Key }));

        context.Response.StatusCode.Should().Be(StatusCodes.Status401Unauthorized);
        app.Store.FindByHashCalls.Should().Be(0);
    }

    [Fact]
    public async Task Logs_of_a_busy_session_contain_no_key_and_no_hash()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.Enabled = false);
        var created = await app.CreateKeyAsync("jobs:write");
        var rotated = (await app.Manager.RotateAsync(created.Record.Id, TimeSpan.FromMinutes(5)))!;
        var unknown = ApiKeyFormat.Generate("sk_test");

        await app.GetAsync("/me", created.Key);
        await app.GetAsync("/me", rotated.Key);
        await app.GetAsync("/both", rotated.Key);
        await app.GetAsync("/me", unknown);
        await app.GetAsync("/me", created.Key[..^2]);
        await app.Manager.RevokeAsync(rotated.Record.Id);
        await app.GetAsync("/me", rotated.Key);

        app.Logs.GetSnapshot().Should().NotBeEmpty();
        foreach (var secret in new[] { created.Key, rotated.Key, unknown, created.Key[..^2] })
        {
            AssertNoSecretInLogs(app, secret);
        }

        var hashes = (await app.Store.Inner.ListAsync(new ApiKeyStoreQuery { Limit = 1000 })).Select(k => k.Hash).Concat(app.Store.HashesLookedUp).ToList();
        hashes.Should().NotBeEmpty();
        foreach (var hash in hashes)
        {
            app.AllLogText().Should().NotContain(line => line.Contains(hash, StringComparison.OrdinalIgnoreCase));
        }
    }

    private static void AssertNoSecretInLogs(TestApp app, string secret)
    {
        if (secret.Trim().Length < 8)
        {
            return; // too short to be told apart from ordinary text
        }

        var needle = secret.Trim();
        needle = needle.Length > 64 ? needle[..64] : needle;
        app.AllLogText().Should().NotContain(line => line.Contains(needle, StringComparison.Ordinal), "a key must never be logged");
    }
}
