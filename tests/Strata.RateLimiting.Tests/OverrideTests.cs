using System.Net;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Strata.RateLimiting.Tests;

/// <summary>Plan tiers and per-partition limits from options that reload.</summary>
public sealed class OverrideTests
{
    [Fact]
    public async Task Tier_and_partition_limits_come_from_configuration_and_reload_without_restart()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RateLimiting:Policies:per-key:Tiers:pro"] = "3",
        }).Build();
        await using var host = await TestHost.StartAsync(
            o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, limit: 1, window: TimeSpan.FromMinutes(1), p =>
                p.TierSelector = context => context.Request.Headers["X-Plan"].ToString() is { Length: > 0 } plan ? plan : null),
            services => services.AddStrataRateLimiting().Services.Configure<StrataRateLimitingOptions>(configuration.GetSection("RateLimiting")));

        async Task<HttpResponseMessage> Get(string key, string? plan)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/limited");
            request.Headers.Add(TestHost.KeyHeader, key);
            if (plan is not null)
            {
                request.Headers.Add("X-Plan", plan);
            }

            return await host.Client.SendAsync(request);
        }

        (await Get("free-key", null)).Header("RateLimit-Policy").Should().Be("\"per-key\";q=1;w=60");
        (await Get("pro-key", "pro")).Header("RateLimit-Policy").Should().Be("\"per-key\";q=3;w=60");
        (await Get("pro-key", "pro")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Get("pro-key", "pro")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await Get("pro-key", "pro")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        configuration["RateLimiting:Policies:per-key:Partitions:vip-key"] = "5";
        configuration.Reload();

        (await Get("vip-key", "pro")).Header("RateLimit-Policy").Should().Be("\"per-key\";q=5;w=60", "a partition override wins over the tier");
    }

    [Fact]
    public void A_non_positive_override_stops_the_host_with_a_message_naming_it()
    {
        var services = new ServiceCollection();
        services.AddStrataRateLimiting(o => o.Policies["per-key"] = new RateLimitPolicyOverrides { Tiers = { ["free"] = 0 } });
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<StrataRateLimitingOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().WithMessage("*Policies[per-key].Tiers[free] must be at least 1*");
    }

    [Fact]
    public void Bad_policy_names_are_refused_when_the_policy_is_added()
    {
        var options = new RateLimiterOptions();

        var act = () => options.AddGcraPolicy("per{key}", RatePartition.ByApiKey, 10, TimeSpan.FromSeconds(1));

        act.Should().Throw<ArgumentException>().WithMessage("*per{key}*");
    }

    [Fact]
    public void Bad_limits_are_refused_naming_the_parameter()
    {
        var act = () => RateLimitRule.Gcra(0, TimeSpan.FromSeconds(1));
        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("limit");

        var period = () => RateLimitRule.FixedWindow(1, TimeSpan.Zero);
        period.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("window");
    }
}
