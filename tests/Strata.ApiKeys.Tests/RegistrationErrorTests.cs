using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.Tests;

/// <summary>A forgotten registration stops the host (or the first use) with a message naming the call to add.</summary>
public sealed class RegistrationErrorTests
{
    private const string TheCall = "builder.Services.AddStrataApiKeys().UseInMemoryStore()";

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task AddApiKey_without_AddApiKeys_stops_the_host_naming_the_call_to_add(string environment)
    {
        var start = () => StartAsync(environment, b => b.Services.AddAuthentication().AddApiKey());

        var message = (await start.Should().ThrowAsync<Exception>()).Which.Message;
        message.Should().Contain(TheCall).And.Contain(".UseEntityFrameworkStore<TContext>()");
        message.Should().NotContain("Strata.ApiKeys.Internal", "the message names the call to add, not internal types");
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task AddApiKeys_without_a_store_stops_the_host_naming_the_call_to_add(string environment)
    {
        var start = () => StartAsync(environment, b =>
        {
            b.Services.AddAuthentication().AddApiKey();
            b.Services.AddStrataApiKeys();
        });

        var message = (await start.Should().ThrowAsync<Exception>()).Which.Message;
        message.Should().Contain(TheCall).And.NotContain("Strata.ApiKeys.Internal");
    }

    [Fact]
    public async Task A_host_with_only_AddApiKeys_and_no_store_stops_at_start_naming_the_call_to_add()
    {
        var start = () => StartAsync("Production", b => b.Services.AddStrataApiKeys());

        var message = (await start.Should().ThrowAsync<Exception>()).Which.Message;
        message.Should().Contain(TheCall).And.NotContain("Strata.ApiKeys.Internal");
    }

    [Fact]
    public void The_manager_without_a_store_outside_a_host_fails_on_first_use_naming_the_call_to_add()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStrataApiKeys();
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IApiKeyManager>();

        var message = resolve.Should().Throw<InvalidOperationException>().Which.Message;
        message.Should().Contain(TheCall).And.NotContain("Strata.ApiKeys.Internal");
    }

    private static async Task StartAsync(string environment, Action<WebApplicationBuilder> configure)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        configure(builder);
        await using var app = builder.Build();
        await app.StartAsync();
        await app.StopAsync();
    }
}
