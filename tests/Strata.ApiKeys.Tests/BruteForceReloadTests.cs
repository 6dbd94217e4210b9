using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

/// <summary>Brute force switched off and on by an options reload while addresses are tracked.</summary>
public sealed class BruteForceReloadTests
{
    private const string Client = "203.0.113.40";

    [Fact]
    public async Task Switching_brute_force_off_on_reload_lifts_existing_blocks()
    {
        var configuration = Configuration(enabled: true);
        await using var app = await StartAsync(configuration);
        var guard = app.App.Services.GetRequiredService<BruteForceGuard>();
        (await app.GetAsync("/me", "sk_test_guess1", Client)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.GetAsync("/me", "sk_test_guess2", Client)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.GetAsync("/me", "sk_test_guess3", Client)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "two failures of two allowed block the address");
        guard.IsBlocked(IPAddress.Parse(Client), out _).Should().BeTrue();

        Reload(configuration, enabled: false);

        guard.IsBlocked(IPAddress.Parse(Client), out var retryAfter).Should().BeFalse("brute force is off: no address is blocked");
        retryAfter.Should().Be(TimeSpan.Zero);
        (await app.GetAsync("/me", "sk_test_guess4", Client)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the block was lifted with the guard");
        app.Logs.GetSnapshot().Count(r => r.Id.Name == "ClientThrottled").Should().Be(1, "only the request refused before the reload was throttled");
    }

    [Fact]
    public async Task Failures_while_disabled_never_report_a_block()
    {
        var configuration = Configuration(enabled: false);
        await using var app = await StartAsync(configuration);
        var guard = app.App.Services.GetRequiredService<BruteForceGuard>();

        for (var i = 0; i < 4; i++)
        {
            guard.RecordFailure(IPAddress.Parse("198.51.100.77")).Should().BeFalse("a disabled guard never reports a block");
            (await app.GetAsync("/me", $"sk_test_guess{i}", Client)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        guard.TrackedCount.Should().Be(0, "a disabled guard tracks nothing");
        app.Logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "ClientBlocked");
        app.Logs.GetSnapshot().Count(r => r.Id.Name == "KeyMalformed").Should().Be(4, "each failure was seen and logged as a failure");

        // The same failures with the guard switched back on report the block, once.
        Reload(configuration, enabled: true);
        (await app.GetAsync("/me", "sk_test_again1", Client)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.GetAsync("/me", "sk_test_again2", Client)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await app.GetAsync("/me", "sk_test_again3", Client)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        app.Logs.GetSnapshot().Count(r => r.Id.Name == "ClientBlocked").Should().Be(1);
    }

    private static IConfigurationRoot Configuration(bool enabled)
        => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BruteForce:Enabled"] = enabled ? "true" : "false",
            ["BruteForce:PermitFailures"] = "2",
            ["BruteForce:Window"] = "00:01:00",
        }).Build();

    private static void Reload(IConfigurationRoot configuration, bool enabled)
    {
        configuration["BruteForce:Enabled"] = enabled ? "true" : "false";
        configuration.Reload();
    }

    private static Task<TestApp> StartAsync(IConfigurationRoot configuration)
        => TestApp.StartAsync(services: b => b.Services.Configure<ApiKeysOptions>(configuration));
}
