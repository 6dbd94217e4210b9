using System.Net;
using Strata.Sample.Api.Tests.Infrastructure;
using Strata.Testing;

namespace Strata.Sample.Api.Tests;

/// <summary>
/// The api role with Redis down (a redis-server of the test's own, killed once the host runs and the key was seen): each
/// rate-limit policy follows the failure mode configured for it under <c>RateLimiting:Policies:{policy}:FailureMode</c>.
/// </summary>
public sealed class FailureModeConfigurationTests
{
    private const string Text = "Redis is down for a moment. The limits know what to do.";

    [Fact]
    public async Task Per_key_policy_configured_to_fail_closed_answers_503_with_retry_after_while_redis_is_down()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var factory = new ApiRoleFactory(redis, perKey: "FailClosed", tokens: null);
        using var client = await KeyClientWithRedisDownAsync(factory, redis);

        using var response = await client.PostTextAsync("/v1/analyze", Text);

        var problem = await AnalyzeEndpointTests.ShouldBeProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        problem.GetProperty("title").GetString().Should().Be("Rate limiting is unavailable");
        problem.GetProperty("policy").GetString().Should().Be("per-key");
        response.Headers.RetryAfter!.Delta!.Value.Should().BePositive();
    }

    [Fact]
    public async Task Token_budget_configured_to_fail_closed_answers_503_not_429_while_redis_is_down()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var factory = new ApiRoleFactory(redis, perKey: "FailOpen", tokens: "failclosed");
        using var client = await KeyClientWithRedisDownAsync(factory, redis);

        using var response = await client.PostTextAsync("/v1/analyze", Text);

        var problem = await AnalyzeEndpointTests.ShouldBeProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        problem.GetProperty("title").GetString().Should().Be("Rate limiting is unavailable");
        problem.GetProperty("policy").GetString().Should().Be("tokens");
        response.Headers.RetryAfter!.Delta!.Value.Should().BePositive();
    }

    [Fact]
    public async Task Policies_configured_to_fail_open_admit_while_redis_is_down()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var factory = new ApiRoleFactory(redis, perKey: "FailOpen", tokens: "FailOpen", limit: 1);
        using var client = await KeyClientWithRedisDownAsync(factory, redis);

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PostTextAsync("/v1/analyze", Text);
            response.StatusCode.Should().Be(HttpStatusCode.OK, $"request {i + 1} is admitted although the limit is 1 a minute: the store is down and the policy fails open");
        }
    }

    [Fact]
    public async Task Without_a_failure_mode_the_policies_fall_back_to_a_local_limit_while_redis_is_down()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var factory = new ApiRoleFactory(redis, perKey: null, tokens: null, limit: 1);
        using var client = await KeyClientWithRedisDownAsync(factory, redis);

        using var first = await client.PostTextAsync("/v1/analyze", Text);
        using var second = await client.PostTextAsync("/v1/analyze", Text);

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        await AnalyzeEndpointTests.ShouldBeProblemAsync(second, HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task An_unknown_failure_mode_stops_the_host_on_start_naming_the_key()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var factory = new ApiRoleFactory(redis, perKey: "FailSometimes", tokens: null);

        var start = () => factory.CreateClient();

        start.Should().Throw<InvalidOperationException>()
            .WithMessage("*RateLimiting:Policies:per-key:FailureMode*FailSometimes*FallbackToLocal*FailOpen*FailClosed*");
    }

    /// <summary>
    /// Starts the host (Redis up: the Development host makes its demo key on start), makes a key, has it looked up once
    /// on a route without rate limits (403: no admin scope), so it sits in the host's key cache, then kills Redis.
    /// </summary>
    private static async Task<HttpClient> KeyClientWithRedisDownAsync(ApiRoleFactory factory, RedisServer redis)
    {
        var key = await factory.CreateKeyAsync(["analyze", "jobs:write"]);
        var client = factory.CreateClient(key);
        using (var seen = await client.GetAsync("/admin/keys"))
        {
            seen.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        await redis.KillAsync();
        return client;
    }

    /// <summary>The host in the api role on the test's own Redis, with the failure modes given (null: not configured).</summary>
    private sealed class ApiRoleFactory(RedisServer redis, string? perKey, string? tokens, int? limit = null) : SampleApiFactory
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings
        {
            get
            {
                yield return new("Strata:Role", "api");
                yield return new("ConnectionStrings:Redis", redis.ConnectionString);
                if (perKey is not null)
                {
                    yield return new("RateLimiting:Policies:per-key:FailureMode", perKey);
                }

                if (tokens is not null)
                {
                    yield return new("RateLimiting:Policies:tokens:FailureMode", tokens);
                }

                if (limit is { } requests)
                {
                    yield return new("Api:RequestsPerMinute", requests.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
    }
}
