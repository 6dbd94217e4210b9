using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>A bad Redis option stops the host at start with a message naming the option.</summary>
public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("localhost:6379,notAKeyword=1", "RedisRateLimitingOptions.Configuration is not a valid StackExchange.Redis configuration", "notAKeyword")]
    [InlineData("abortConnect=false", "RedisRateLimitingOptions.Configuration names no server", "host:port")]
    public void A_bad_connection_string_stops_the_host_naming_the_option(string connectionString, string error, string detail)
    {
        using var services = new ServiceCollection().AddStrataRateLimiting().UseRedis(connectionString).Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptions<RedisRateLimitingOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle()
            .Which.Should().Contain(error).And.Contain(detail);
    }

    [Fact]
    public void A_bad_key_prefix_is_named_with_its_value()
    {
        using var services = new ServiceCollection().AddStrataRateLimiting().UseRedis("127.0.0.1:1", o => o.KeyPrefix = "a{b}").Services.BuildServiceProvider();

        var act = () => services.GetRequiredService<IOptions<RedisRateLimitingOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle()
            .Which.Should().Contain("RedisRateLimitingOptions.KeyPrefix").And.Contain("but is 'a{b}'");
    }
}
