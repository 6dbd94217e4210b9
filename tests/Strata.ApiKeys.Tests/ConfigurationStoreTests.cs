using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

public sealed class ConfigurationStoreTests
{
    [Fact]
    public async Task Host_authenticates_a_key_whose_hash_is_in_appsettings()
    {
        var key = ApiKeyFormat.Generate("sk_live");
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ApiKeys:ci-bot:Owner"] = "ci",
            ["ApiKeys:ci-bot:Hash"] = ApiKeyFormat.ComputeHash(key),
            ["ApiKeys:ci-bot:Scopes"] = "jobs:write analyze",
        });
        builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o => o.Prefix = "sk_live");
        builder.Services.AddAuthorization();
        builder.Services.AddStrataApiKeys().UseConfigurationStore(builder.Configuration.GetSection("ApiKeys"));
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapPost("/jobs", () => "queued").RequireScope("jobs:write");
        await app.StartAsync();
        var client = app.GetTestClient();

        var request = new HttpRequestMessage(HttpMethod.Post, "/jobs");
        request.Headers.Add(ApiKeyDefaults.HeaderName, key);
        var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var create = () => app.Services.GetRequiredService<IApiKeyManager>().CreateAsync(new ApiKeyCreateRequest { Owner = "x" });
        (await create.Should().ThrowAsync<NotSupportedException>()).WithMessage("*read-only*");
    }

    [Fact]
    public async Task Host_with_a_bad_entry_stops_at_start_naming_the_key_and_field_but_not_the_value()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ApiKeys:broken:Owner"] = "ci",
            ["ApiKeys:broken:Hash"] = "secret-looking-value-not-hex",
        });
        builder.Services.AddAuthentication().AddApiKey();
        builder.Services.AddStrataApiKeys().UseConfigurationStore(builder.Configuration.GetSection("ApiKeys"));
        await using var app = builder.Build();

        var start = () => app.StartAsync();

        var error = (await start.Should().ThrowAsync<InvalidOperationException>()).Which;
        error.Message.Should().Contain("'broken'").And.Contain("Hash");
        error.Message.Should().NotContain("secret-looking-value-not-hex");
    }

    [Fact]
    public async Task Store_reloads_when_the_configuration_changes_and_keeps_the_old_keys_on_a_bad_reload()
    {
        var first = ApiKeyFormat.ComputeHash(ApiKeyFormat.Generate("sk"));
        var second = ApiKeyFormat.ComputeHash(ApiKeyFormat.Generate("sk"));
        var source = new ReloadableSource();
        source.Set(new() { ["ApiKeys:a:Owner"] = "o", ["ApiKeys:a:Hash"] = first });
        var configuration = new ConfigurationBuilder().Add(source).Build();
        using var store = new ConfigurationApiKeyStore(configuration.GetSection("ApiKeys"), NullLogger<ConfigurationApiKeyStore>.Instance);

        (await store.FindByHashAsync(first)).Should().NotBeNull();

        source.Set(new() { ["ApiKeys:b:Owner"] = "o", ["ApiKeys:b:Hash"] = second });
        (await store.FindByHashAsync(first)).Should().BeNull();
        (await store.FindByHashAsync(second))!.Record.Id.Should().Be("b");

        source.Set(new() { ["ApiKeys:c:Owner"] = "o", ["ApiKeys:c:Hash"] = "nope" });
        (await store.FindByHashAsync(second)).Should().NotBeNull("a bad reload keeps the previous keys");
    }

    [Fact]
    public async Task Key_revoked_or_added_in_configuration_takes_effect_at_the_reload_not_after_the_cache_time()
    {
        var key = ApiKeyFormat.Generate("sk_live");
        var added = ApiKeyFormat.Generate("sk_live");
        var source = new ReloadableSource();
        source.Set(new() { ["ApiKeys:ci-bot:Owner"] = "ci", ["ApiKeys:ci-bot:Hash"] = ApiKeyFormat.ComputeHash(key) });
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero)));
        var section = new ConfigurationBuilder().Add(source).Build().GetSection("ApiKeys");
        builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o => o.Prefix = "sk_live");
        builder.Services.AddAuthorization();
        builder.Services.AddStrataApiKeys(o => o.CacheDuration = TimeSpan.FromHours(1)).UseConfigurationStore(section);
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/me", () => "me").RequireAuthorization();
        await app.StartAsync();
        var client = app.GetTestClient();
        Task<HttpResponseMessage> GetAsync(string apiKey)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/me");
            request.Headers.Add(ApiKeyDefaults.HeaderName, apiKey);
            return client.SendAsync(request);
        }

        (await GetAsync(key)).StatusCode.Should().Be(HttpStatusCode.OK);           // now cached for an hour
        (await GetAsync(added)).StatusCode.Should().Be(HttpStatusCode.Unauthorized); // now cached as unknown

        source.Set(new()
        {
            ["ApiKeys:ci-bot:Owner"] = "ci",
            ["ApiKeys:ci-bot:Hash"] = ApiKeyFormat.ComputeHash(key),
            ["ApiKeys:ci-bot:RevokedAt"] = "2026-11-25T11:00:00Z",
            ["ApiKeys:new-bot:Owner"] = "ci",
            ["ApiKeys:new-bot:Hash"] = ApiKeyFormat.ComputeHash(added),
        });

        (await GetAsync(key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the reload dropped the cached record");
        (await GetAsync(added)).StatusCode.Should().Be(HttpStatusCode.OK, "the reload dropped the cached 'unknown'");
    }

    [Fact]
    public void Duplicate_hashes_and_bad_fields_are_all_reported_at_once()
    {
        var hash = ApiKeyFormat.ComputeHash(ApiKeyFormat.Generate("sk"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ApiKeys:a:Owner"] = "o",
            ["ApiKeys:a:Hash"] = hash,
            ["ApiKeys:b:Owner"] = "o",
            ["ApiKeys:b:Hash"] = hash,
            ["ApiKeys:c:Hash"] = hash,
            ["ApiKeys:d:Owner"] = "o",
            ["ApiKeys:d:Hash"] = ApiKeyFormat.ComputeHash(ApiKeyFormat.Generate("sk")),
            ["ApiKeys:d:ExpiresAt"] = "someday",
            ["ApiKeys:d:AllowedNetworks:0"] = "10.0.0.0/99",
            ["ApiKeys:d:AllowedNetworks:1"] = "192.168.1",
        }).Build();

        var create = () => new ConfigurationApiKeyStore(configuration.GetSection("ApiKeys"), NullLogger<ConfigurationApiKeyStore>.Instance);

        var message = create.Should().Throw<InvalidOperationException>().Which.Message;
        message.Should().Contain("'b'").And.Contain("'c': Owner").And.Contain("ExpiresAt").And.Contain("10.0.0.0/99").And.Contain("'192.168.1'");
        message.Should().NotContain(hash);
    }

    private sealed class ReloadableSource : IConfigurationSource
    {
        private readonly Provider _provider = new();

        public IConfigurationProvider Build(IConfigurationBuilder builder) => _provider;

        public void Set(Dictionary<string, string?> values) => _provider.Set(values);

        private sealed class Provider : ConfigurationProvider
        {
            public void Set(Dictionary<string, string?> values)
            {
                Data = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase);
                OnReload();
            }
        }
    }
}
