using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.Tests;

/// <summary>The key manager refuses to create a key that no registered API-key scheme would accept.</summary>
public sealed class KeyPrefixTests
{
    [Fact]
    public async Task Creating_a_key_with_a_prefix_no_scheme_accepts_throws_naming_the_prefix_the_accepted_ones_and_the_fix()
    {
        await using var app = await TestApp.StartAsync();
        var writesBefore = app.Store.WriteCalls;

        var create = () => app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "o", Prefix = "sk_live" });

        var message = (await create.Should().ThrowAsync<InvalidOperationException>()).Which.Message;
        message.Should().Contain("'sk_live'").And.Contain("'sk_test' (scheme 'ApiKey')").And.Contain("ApiKeyCreateRequest.Prefix")
            .And.Contain("AddApiKey(o => o.Prefix = \"sk_live\")");
        app.Store.WriteCalls.Should().Be(writesBefore, "nothing was created");
    }

    [Fact]
    public async Task A_key_with_the_prefix_of_a_second_scheme_is_created()
    {
        await using var app = await TestApp.StartAsync(services: b => b.Services.AddAuthentication().AddApiKey("Partner", o => o.Prefix = "pk_live"));

        var created = await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "partner", Prefix = "pk_live" });

        created.Key.Should().StartWith("pk_live_");
    }

    [Fact]
    public async Task Without_a_prefix_the_only_scheme_gives_its_prefix_even_when_it_is_not_named_ApiKey()
    {
        await using var app = await StartAsync(b => b.Services.AddAuthentication("Partner").AddApiKey("Partner", o => o.Prefix = "pk_live"));

        var created = await app.Services.GetRequiredService<IApiKeyManager>().CreateAsync(new ApiKeyCreateRequest { Owner = "o" });

        created.Key.Should().StartWith("pk_live_");
        var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Add(ApiKeyDefaults.HeaderName, created.Key);
        (await app.GetTestClient().SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK, "the key is usable");
    }

    [Fact]
    public async Task Without_a_prefix_and_no_scheme_accepting_the_default_it_throws_naming_the_default()
    {
        await using var app = await StartAsync(b => b.Services.AddAuthentication("Partner")
            .AddApiKey("Partner", o => o.Prefix = "pk_live")
            .AddApiKey("Internal", o => o.Prefix = "ik_live"));

        var create = () => app.Services.GetRequiredService<IApiKeyManager>().CreateAsync(new ApiKeyCreateRequest { Owner = "o" });

        var message = (await create.Should().ThrowAsync<InvalidOperationException>()).Which.Message;
        message.Should().Contain($"'{ApiKeyDefaults.Prefix}' (the default prefix)").And.Contain("'pk_live' (scheme 'Partner')").And.Contain("'ik_live' (scheme 'Internal')");
    }

    [Fact]
    public async Task The_manager_used_without_any_scheme_creates_keys_with_any_valid_prefix()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStrataApiKeys().UseInMemoryStore();
        await using var provider = services.BuildServiceProvider();

        var created = await provider.GetRequiredService<IApiKeyManager>().CreateAsync(new ApiKeyCreateRequest { Owner = "cli", Prefix = "sk_cli" });

        created.Key.Should().StartWith("sk_cli_");
    }

    private static async Task<WebApplication> StartAsync(Action<WebApplicationBuilder> configure)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        configure(builder);
        builder.Services.AddAuthorization();
        builder.Services.AddStrataApiKeys().UseInMemoryStore();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/me", () => "me").RequireAuthorization();
        await app.StartAsync();
        return app;
    }
}
