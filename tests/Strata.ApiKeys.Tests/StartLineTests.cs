using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Strata.ApiKeys.Tests;

/// <summary>One information line at start names the store that holds the keys and where lookups are cached.</summary>
public sealed class StartLineTests
{
    [Fact]
    public async Task The_in_memory_store_and_a_cache_without_second_level_are_named_once_at_start()
    {
        var line = await StartLineAsync(services => services.AddStrataApiKeys().UseInMemoryStore());

        line.Should().Be("API keys: store InMemoryApiKeyStore; lookups cached in this process (HybridCache, no second level) for 00:00:30.");
    }

    [Fact]
    public async Task A_distributed_cache_is_named_as_the_second_level()
    {
        // RedisCache connects on first use, not at start: no server is needed to name it.
        var line = await StartLineAsync(services =>
        {
            services.AddStackExchangeRedisCache(o => o.Configuration = "127.0.0.1:1,abortConnect=false");
            services.AddStrataApiKeys(o => o.CacheDuration = TimeSpan.FromSeconds(10)).UseInMemoryStore();
        });

        line.Should().Be("API keys: store InMemoryApiKeyStore; lookups cached in HybridCache with RedisCache as its second level for 00:00:10.");
    }

    private static async Task<string> StartLineAsync(Action<IServiceCollection> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddFakeLogging();
        configure(builder.Services);
        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();

        return host.Services.GetFakeLogCollector().GetSnapshot().Should().ContainSingle(r => r.Id.Name == "StoreInUse").Which.Message;
    }
}
