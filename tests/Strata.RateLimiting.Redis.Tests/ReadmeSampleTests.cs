using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.RateLimiting.Tests;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>The code of the Redis package README, compiled and run against a real redis-server.</summary>
public sealed class ReadmeSampleTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task The_readme_registrations_run_against_redis()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:redis"] = redis.Server.ConnectionString });

        builder.Services.AddRateLimiter(options => options
            .AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 100, period: TimeSpan.FromMinutes(1)));
        builder.Services.AddStrataRateLimiting().UseRedis(builder.Configuration.GetConnectionString("redis")!, o => o.KeyPrefix = RedisFixture.UniquePrefix());

        builder.Services.AddRateLimiter(options => options
            .AddGcraPolicy("payments", RatePartition.ByApiKey, 10, TimeSpan.FromSeconds(1), p => p.FailureMode = RateLimitFailureMode.FailClosed)
            .AddGcraPolicy("search", RatePartition.ByApiKey, 100, TimeSpan.FromSeconds(1), p => p.FailureMode = RateLimitFailureMode.FailOpen));

        await using var app = builder.Build();
        app.UseRateLimiter();
        app.MapGet("/v1/pay", () => "paid").RequireRateLimiting("payments");
        await app.StartAsync();
        using var client = app.GetTestClient();

        var response = await client.GetAsync("/v1/pay");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Header("RateLimit-Policy").Should().Be("\"payments\";q=10;w=1");
    }

    [Fact]
    public void The_other_registrations_resolve_their_connection()
    {
        var unkeyed = new ServiceCollection().AddSingleton(redis.Connection).AddStrataRateLimiting().UseRedis().Services.BuildServiceProvider();
        unkeyed.GetRequiredService<Strata.RateLimiting.Store.IRateLimitStore>().Should().BeOfType<RedisRateLimitStore>();

        var keyed = new ServiceCollection().AddKeyedSingleton<IConnectionMultiplexer>("limits", redis.Connection)
            .AddStrataRateLimiting().UseRedis(o => o.ConnectionServiceKey = "limits").Services.BuildServiceProvider();
        keyed.GetRequiredService<Strata.RateLimiting.Store.IRateLimitStore>().Should().BeOfType<RedisRateLimitStore>();

        var configured = new ServiceCollection().AddStrataRateLimiting().UseRedis("redis:6379", o =>
        {
            o.KeyPrefix = "myapi:rl";
            o.FallbackNodeCount = 4;
            o.CommandTimeout = TimeSpan.FromMilliseconds(100);
        }).Services.BuildServiceProvider();
        configured.GetRequiredService<Microsoft.Extensions.Options.IOptions<RedisRateLimitingOptions>>().Value.FallbackNodeCount.Should().Be(4);
    }
}
