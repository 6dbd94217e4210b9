using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Strata.ApiKeys.Tests;

public sealed class StartupValidationTests
{
    [Fact]
    public async Task Bad_scheme_options_stop_the_host_at_start_naming_each_setting()
    {
        var start = () => StartAsync(
            b => b.Services.AddAuthentication().AddApiKey(o =>
            {
                o.Prefix = "Not Valid";
                o.Realm = "a\"b";
                o.QueryParameterName = " ";
            }),
            withStore: true);

        var error = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Message.Should().Contain("Prefix").And.Contain("Realm").And.Contain("QueryParameterName");
    }

    [Fact]
    public async Task Missing_store_stops_the_host_at_start_with_a_hint()
    {
        var start = () => StartAsync(b => b.Services.AddAuthentication().AddApiKey(), withStore: false);

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("has no key store").And.Contain("UseInMemoryStore");
    }

    [Fact]
    public async Task Short_pepper_and_bad_durations_stop_the_host_without_echoing_the_pepper()
    {
        const string Pepper = "short-pepper";
        var start = () => StartAsync(
            b =>
            {
                b.Services.AddAuthentication().AddApiKey();
                b.Services.AddStrataApiKeys(o =>
                {
                    o.Pepper = Pepper;
                    o.CacheDuration = TimeSpan.FromSeconds(-1);
                    o.LastUsedFlushInterval = TimeSpan.Zero;
                    o.BruteForce.PermitFailures = 0;
                });
            },
            withStore: true);

        var message = (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message;
        message.Should().Contain("Pepper").And.Contain("CacheDuration").And.Contain("LastUsedFlushInterval").And.Contain("PermitFailures");
        message.Should().NotContain(Pepper);
    }

    [Fact]
    public async Task Calling_the_registrations_twice_is_harmless()
    {
        await using var app = await StartAsync(
            b =>
            {
                b.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o => o.Prefix = "sk_live");
                b.Services.AddStrataApiKeys().UseInMemoryStore();
                b.Services.AddStrataApiKeys().UseInMemoryStore();
            },
            withStore: false);

        app.Services.GetServices<IApiKeyStore>().Should().HaveCount(1);
        app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<object>()
            .Count(s => s.GetType().Name == "LastUsedFlushService").Should().Be(1);
        var created = await app.Services.GetRequiredService<IApiKeyManager>().CreateAsync(new ApiKeyCreateRequest { Owner = "o" });
        created.Key.Should().StartWith("sk_live_");
    }

    private static async Task<WebApplication> StartAsync(Action<WebApplicationBuilder> configure, bool withStore)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        configure(builder);
        if (withStore)
        {
            builder.Services.AddStrataApiKeys().UseInMemoryStore();
        }

        var app = builder.Build();
        await app.StartAsync();
        return app;
    }
}
