using System.Net;
using Microsoft.Extensions.Time.Testing;
using Strata.RateLimiting;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

/// <summary>The host with a frozen clock and a per-address limit of 4 a minute (<c>Api:RequestsPerMinutePerAddress</c>).</summary>
public sealed class PerAddressLimitFactory : SampleApiFactory
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    protected override FakeTimeProvider? Time => Clock;

    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Api:RequestsPerMinutePerAddress", "4")];
}

public sealed class PerAddressRateLimitTests(PerAddressLimitFactory factory) : IClassFixture<PerAddressLimitFactory>
{
    [Fact]
    public async Task An_address_gets_429_once_its_limit_is_spent_whatever_the_key_and_health_is_never_refused()
    {
        using var first = factory.CreateClient(await factory.CreateKeyAsync(["jobs:write"]));
        using var second = factory.CreateClient(await factory.CreateKeyAsync(["jobs:write"]));
        using var anonymous = factory.CreateClient();

        // Keyed, another key, and no key at all: the same address, so one count.
        var answers = new List<HttpStatusCode>();
        foreach (var client in new[] { first, second, anonymous, first })
        {
            using var response = await client.GetAsync("/v1/jobs/default.00000000000000000000000000000000");
            answers.Add(response.StatusCode);
        }

        using var rejected = await second.GetAsync("/v1/jobs/default.00000000000000000000000000000000");
        using var health = await anonymous.GetAsync("/health/live");

        answers.Should().Equal(HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.Unauthorized, HttpStatusCode.NotFound);
        var problem = await AnalyzeEndpointTests.ShouldBeProblemAsync(rejected, HttpStatusCode.TooManyRequests);
        problem.GetProperty("type").GetString().Should().Be(RateLimitProblemTypes.QuotaExceeded);
        problem.GetProperty("violated-policies")[0].GetString().Should().Be("per-address");
        rejected.Headers.RetryAfter!.Delta!.Value.Should().BePositive();
        health.StatusCode.Should().Be(HttpStatusCode.OK, "a load balancer's probe is never refused");

        factory.Clock.Advance(rejected.Headers.RetryAfter!.Delta!.Value);
        using var later = await second.GetAsync("/v1/jobs/default.00000000000000000000000000000000");
        later.StatusCode.Should().Be(HttpStatusCode.NotFound, "after Retry-After the address is admitted again");
    }
}
