using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using Strata.RateLimiting;
using Strata.Sample.Api.Tests.Infrastructure;
using Strata.Sample.Processing;

namespace Strata.Sample.Api.Tests;

/// <summary>The host with a frozen clock, so a limit runs out at exactly its size and refills only when told.</summary>
public sealed class FrozenTimeFactory : SampleApiFactory
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    protected override FakeTimeProvider? Time => Clock;
}

public sealed class RateLimitTests(FrozenTimeFactory factory) : IClassFixture<FrozenTimeFactory>
{
    [Fact]
    public async Task Demo_plan_gets_429_with_retry_after_and_rate_limit_fields_after_100_requests()
    {
        var key = await factory.CreateKeyAsync(["jobs:write"], plan: "demo");
        using var client = factory.CreateClient(key);

        for (var i = 0; i < 100; i++)
        {
            using var admitted = await client.GetAsync("/v1/jobs/default.00000000000000000000000000000000");
            admitted.StatusCode.Should().Be(HttpStatusCode.NotFound, $"request {i + 1} of 100 is within the demo plan");
        }

        using var rejected = await client.GetAsync("/v1/jobs/default.00000000000000000000000000000000");

        var problem = await AnalyzeEndpointTests.ShouldBeProblemAsync(rejected, HttpStatusCode.TooManyRequests);
        problem.GetProperty("type").GetString().Should().Be(RateLimitProblemTypes.QuotaExceeded);
        problem.GetProperty("violated-policies")[0].GetString().Should().Be("per-key");
        var retryAfter = rejected.Headers.RetryAfter!.Delta!.Value;
        retryAfter.Should().BePositive();
        RateLimitHeader.Quota(rejected, "per-key").Should().Be(100);
        RateLimitHeader.Remaining(rejected, "per-key").Should().Be(0);

        factory.Clock.Advance(retryAfter);
        using var later = await client.GetAsync("/v1/jobs/default.00000000000000000000000000000000");
        later.StatusCode.Should().Be(HttpStatusCode.NotFound, "after Retry-After one more request is admitted");
    }

    [Fact]
    public async Task A_key_without_a_plan_gets_the_default_limit()
    {
        var key = await factory.CreateKeyAsync(["jobs:write"]);
        using var client = factory.CreateClient(key);

        using var response = await client.GetAsync("/v1/jobs/default.00000000000000000000000000000000");

        RateLimitHeader.Quota(response, "per-key").Should().Be(600);
    }

    [Fact]
    public async Task Token_budget_spends_more_for_long_documents_and_answers_429_when_spent()
    {
        var key = await factory.CreateKeyAsync(["analyze"], plan: "demo");
        using var client = factory.CreateClient(key);
        var shortText = "A short happy note.";
        var longText = string.Join(' ', Enumerable.Repeat("The quarterly report shows steady growth across every region.", 150));

        using var first = await client.PostTextAsync("/v1/analyze", shortText);
        var shortTokens = (await first.Content.ReadFromJsonAsync<AnalysisResult>())!.TokenCount;
        var afterShort = RateLimitHeader.Remaining(first, "tokens");
        using var second = await client.PostTextAsync("/v1/analyze", longText);
        var longTokens = (await second.Content.ReadFromJsonAsync<AnalysisResult>())!.TokenCount;
        var afterLong = RateLimitHeader.Remaining(second, "tokens");

        RateLimitHeader.Quota(first, "tokens").Should().Be(20_000);
        afterShort.Should().Be(20_000 - shortTokens);
        longTokens.Should().BeGreaterThan(shortTokens * 50);
        (afterShort - afterLong).Should().Be(longTokens, "a request spends as many permits as its document has tokens");

        HttpResponseMessage? rejected = null;
        for (var i = 0; i < 40 && rejected is null; i++)
        {
            var response = await client.PostTextAsync("/v1/analyze", longText);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                rejected = response;
            }
            else
            {
                response.StatusCode.Should().Be(HttpStatusCode.OK);
                response.Dispose();
            }
        }

        rejected.Should().NotBeNull("the demo plan's 20,000 tokens run out");
        var problem = await AnalyzeEndpointTests.ShouldBeProblemAsync(rejected!, HttpStatusCode.TooManyRequests);
        problem.GetProperty("violated-policies")[0].GetString().Should().Be("tokens");
        rejected!.Headers.RetryAfter!.Delta!.Value.Should().BePositive();
        rejected.Dispose();
    }

    [Fact]
    public async Task A_document_larger_than_the_whole_budget_gets_400_not_429()
    {
        var key = await factory.CreateKeyAsync(["analyze"], plan: "demo");
        using var client = factory.CreateClient(key);
        var hugeText = string.Join(' ', Enumerable.Range(0, 14_000).Select(i => $"w{i}"));

        using var response = await client.PostTextAsync("/v1/analyze", hugeText);

        var problem = await AnalyzeEndpointTests.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("detail").GetString().Should().Contain("20000 tokens per minute");
    }

    [Fact]
    public async Task Keys_are_limited_apart()
    {
        var first = await factory.CreateKeyAsync(["jobs:write"], plan: "demo");
        var second = await factory.CreateKeyAsync(["jobs:write"], plan: "demo");
        using var firstClient = factory.CreateClient(first);
        using var secondClient = factory.CreateClient(second);
        for (var i = 0; i < 100; i++)
        {
            using var _ = await firstClient.GetAsync("/v1/jobs/x");
        }

        using var firstRejected = await firstClient.GetAsync("/v1/jobs/x");
        using var secondAdmitted = await secondClient.GetAsync("/v1/jobs/x");

        firstRejected.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        secondAdmitted.StatusCode.Should().Be(HttpStatusCode.NotFound);
        RateLimitHeader.Remaining(secondAdmitted, "per-key").Should().Be(99);
    }
}
