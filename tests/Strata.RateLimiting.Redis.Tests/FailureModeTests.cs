using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Strata.RateLimiting.Tests;
using Strata.Testing;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>
/// Redis killed and restarted under a running host (a throwaway redis-server of the test's own):
/// each policy's failure mode holds, nothing answers 500, and decisions return to Redis.
/// </summary>
public sealed class FailureModeTests
{
    private static Task<TestHost> StartHostAsync(RedisServer server, Action<RedisRateLimitingOptions>? configure = null) =>
        TestHost.StartAsync(
            o => o
                .AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 4, period: TimeSpan.FromHours(1))
                .AddGcraPolicy("open", RatePartition.ByApiKey, limit: 4, period: TimeSpan.FromHours(1), p => p.FailureMode = RateLimitFailureMode.FailOpen)
                .AddGcraPolicy("closed", RatePartition.ByApiKey, limit: 4, period: TimeSpan.FromHours(1), p => p.FailureMode = RateLimitFailureMode.FailClosed),
            services => services.AddStrataRateLimiting().UseRedis(server.ConnectionString, o =>
            {
                o.KeyPrefix = RedisFixture.UniquePrefix();
                o.FallbackNodeCount = 2;
                o.CommandTimeout = TimeSpan.FromSeconds(1);
                o.BreakDuration = TimeSpan.FromSeconds(5);
                configure?.Invoke(o);
            }),
            endpoints: app =>
            {
                app.MapGet("/fail-open", () => "ok").RequireRateLimiting("open");
                app.MapGet("/fail-closed", () => "ok").RequireRateLimiting("closed");
            });

    [Fact]
    public async Task Failure_modes_hold_while_redis_is_down_and_decisions_return_to_redis_after_a_restart()
    {
        await using var server = await RedisServer.StartAsync();
        await using var host = await StartHostAsync(server);
        (await host.GetAsync("k1")).Header("RateLimit-Policy").Should().Be("\"per-key\";q=4;w=3600", "Redis decides while it is up");

        await server.KillAsync();

        // Fail open: admitted, nothing counted, no headers.
        for (var i = 0; i < 6; i++)
        {
            using var open = await host.GetAsync("k1", "/fail-open");
            open.StatusCode.Should().Be(HttpStatusCode.OK);
            open.Header("RateLimit").Should().BeNull();
        }

        // Fail closed: 503 ProblemDetails with Retry-After.
        using (var closed = await host.GetAsync("k1", "/fail-closed"))
        {
            closed.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            closed.Header("Retry-After").Should().NotBeNull();
            var problem = await closed.Content.ReadFromJsonAsync<ProblemDetails>();
            problem!.Status.Should().Be(503);
        }

        // Fallback: an in-process limiter with ceil(4 / 2 nodes) = 2 per partition.
        var fallback = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await host.GetAsync("k2");
            fallback.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                response.Header("RateLimit-Policy").Should().Be("\"per-key\";q=2;w=3600");
            }
        }

        fallback.Should().Equal(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests);

        await server.RestartAsync();

        // The breaker lets a probe through after BreakDuration; once the connection is back, Redis decides again.
        var recovered = false;
        for (var attempt = 0; attempt < 150 && !recovered; attempt++)
        {
            host.Time.Advance(TimeSpan.FromSeconds(6));
            using var response = await host.GetAsync("k3");
            response.StatusCode.Should().NotBe(HttpStatusCode.InternalServerError);
            recovered = response.Header("RateLimit-Policy") == "\"per-key\";q=4;w=3600";
            if (!recovered)
            {
                await Task.Delay(100);
            }
        }

        recovered.Should().BeTrue("decisions return to Redis without a restart of the host");
        (await host.GetAsync("k3", "/fail-closed")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_host_started_while_redis_is_down_serves_with_its_failure_modes_and_never_500()
    {
        await using var server = await RedisServer.StartAsync();
        await server.KillAsync();
        await using var host = await StartHostAsync(server);

        var fallback = new List<HttpStatusCode>();
        var open = new List<HttpStatusCode>();
        var closed = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            fallback.Add((await host.GetAsync("k")).StatusCode);
            open.Add((await host.GetAsync("k", "/fail-open")).StatusCode);
            closed.Add((await host.GetAsync("k", "/fail-closed")).StatusCode);
        }

        fallback.Should().Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            "the fallback limits each node to ceil(4 / 2 nodes) = 2 per partition");
        open.Should().AllBeEquivalentTo(HttpStatusCode.OK, "fail open admits every request while the store is down");
        closed.Should().AllBeEquivalentTo(HttpStatusCode.ServiceUnavailable, "fail closed refuses every request while the store is down");
    }

    [Fact]
    public async Task Fail_closed_rejection_body_says_the_store_is_unavailable()
    {
        await using var server = await RedisServer.StartAsync();
        await using var host = await StartHostAsync(server, o =>
        {
            o.FailureThreshold = 1;
            o.BreakDuration = TimeSpan.FromSeconds(30);
        });
        (await host.GetAsync("k", "/fail-closed")).StatusCode.Should().Be(HttpStatusCode.OK, "Redis decides while it is up");

        await server.KillAsync();
        using var closed = await host.GetAsync("k", "/fail-closed");

        closed.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        closed.Header("Retry-After").Should().Be("30", "the first failure opened the circuit for its whole break; the fake clock stands still");
        closed.Header("RateLimit").Should().BeNull("nothing was counted, so there is nothing true to say");
        closed.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var body = JsonDocument.Parse(await closed.Content.ReadAsStringAsync());
        body.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString()).Should().Equal(new Dictionary<string, string>
        {
            ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
            ["title"] = "Rate limiting is unavailable",
            ["status"] = "503",
            ["detail"] = "The rate-limit store cannot be reached and this endpoint fails closed. Retry later.",
            ["retryAfter"] = "30",
            ["policy"] = "closed",
        }, "a store outage is not a quota: no quota-exceeded type, no violated policies");
    }

    [Fact]
    public async Task A_slow_redis_costs_at_most_the_command_timeout_then_the_failure_mode_decides()
    {
        await using var server = await RedisServer.StartAsync();
        await using var admin = await server.ConnectAsync(o => o.AllowAdmin = true);
        await using var host = await StartHostAsync(server, o => o.CommandTimeout = TimeSpan.FromMilliseconds(200));
        (await host.GetAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK);

        // Redis stops answering clients for 3 s (as a stalled server would).
        await admin.GetServer(server.Endpoint).ExecuteAsync("CLIENT", "PAUSE", "3000", "ALL");
        using var closed = await host.GetAsync("k", "/fail-closed");

        closed.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task A_missing_connection_stops_the_host_at_start_with_a_message_naming_the_setting()
    {
        var act = async () => await TestHost.StartAsync(
            o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, 1, TimeSpan.FromSeconds(1)),
            services => services.AddStrataRateLimiting().UseRedis(o => o.ConnectionServiceKey = "limits"));

        (await act.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>())
            .Which.Message.Should().Contain("ConnectionServiceKey");
    }

    [Fact]
    public async Task A_keyed_connection_from_di_is_used()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await using var host = await TestHost.StartAsync(
            o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, 3, TimeSpan.FromMinutes(1)),
            services => services
                .AddKeyedSingleton<StackExchange.Redis.IConnectionMultiplexer>("limits", connection)
                .AddStrataRateLimiting().UseRedis(o =>
                {
                    o.ConnectionServiceKey = "limits";
                    o.KeyPrefix = "keyed:";
                }));

        (await host.GetAsync("k")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await connection.GetDatabase().KeyExistsAsync("keyed:per-key:{k}")).Should().BeTrue();
    }
}
