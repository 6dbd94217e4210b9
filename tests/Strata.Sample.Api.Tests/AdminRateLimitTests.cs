using System.Net;
using Microsoft.Extensions.Time.Testing;
using Strata.RateLimiting;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

/// <summary>The host with a frozen clock and an admin limit of 5 a minute (<c>Api:AdminRequestsPerMinute</c>).</summary>
public sealed class AdminLimitFactory : SampleApiFactory
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    protected override FakeTimeProvider? Time => Clock;

    protected override IEnumerable<KeyValuePair<string, string>> Settings => [new("Api:AdminRequestsPerMinute", "5")];
}

public sealed class AdminRateLimitTests(AdminLimitFactory factory) : IClassFixture<AdminLimitFactory>
{
    [Fact]
    public async Task Admin_routes_get_429_with_retry_after_once_the_configured_admin_limit_is_spent()
    {
        using var admin = factory.CreateClient(await factory.CreateKeyAsync(["admin"]));

        for (var i = 0; i < 5; i++)
        {
            using var admitted = i % 2 == 0
                ? await admin.GetAsync("/admin/keys")
                : await admin.PostAsync("/admin/keys/key_doesnotexist/rotate", content: null);
            admitted.StatusCode.Should().BeOneOf([HttpStatusCode.OK, HttpStatusCode.NotFound], $"request {i + 1} of 5 is within the admin limit");
            RateLimitHeader.Quota(admitted, "admin").Should().Be(5);
            RateLimitHeader.Remaining(admitted, "admin").Should().Be(4 - i);
        }

        using var rejected = await admin.DeleteAsync("/admin/keys/key_doesnotexist");

        var problem = await AnalyzeEndpointTests.ShouldBeProblemAsync(rejected, HttpStatusCode.TooManyRequests);
        problem.GetProperty("type").GetString().Should().Be(RateLimitProblemTypes.QuotaExceeded);
        problem.GetProperty("violated-policies")[0].GetString().Should().Be("admin");
        var retryAfter = rejected.Headers.RetryAfter!.Delta!.Value;
        retryAfter.Should().BePositive();
        RateLimitHeader.Remaining(rejected, "admin").Should().Be(0);

        factory.Clock.Advance(retryAfter);
        using var later = await admin.GetAsync("/admin/keys");
        later.StatusCode.Should().Be(HttpStatusCode.OK, "after Retry-After one more request is admitted");
    }

    [Fact]
    public async Task The_admin_limit_is_per_key()
    {
        using var first = factory.CreateClient(await factory.CreateKeyAsync(["admin"]));
        using var second = factory.CreateClient(await factory.CreateKeyAsync(["admin"]));
        for (var i = 0; i < 5; i++)
        {
            using var _ = await first.GetAsync("/admin/keys");
        }

        using var firstRejected = await first.GetAsync("/admin/keys");
        using var secondAdmitted = await second.GetAsync("/admin/keys");

        firstRejected.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        secondAdmitted.StatusCode.Should().Be(HttpStatusCode.OK);
        RateLimitHeader.Remaining(secondAdmitted, "admin").Should().Be(4);
    }
}
