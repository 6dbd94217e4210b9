using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace Strata.RateLimiting.Tests;

/// <summary>
/// <c>app.UseRateLimiter()</c> before <c>app.UseAuthentication()</c>: a policy partitioned by key or user must not let
/// every key share the anonymous bucket. Real authentication middleware and a real scheme on TestServer.
/// </summary>
public sealed class AuthenticationOrderTests
{
    private static bool IsOrderWarning(FakeLogRecord record) =>
        record.Category == "Strata.RateLimiting" && record.Id is { Id: 7, Name: "AuthenticationAfterRateLimiter" };

    [Theory]
    [InlineData("by-key")]
    [InlineData("by-user")]
    public async Task With_the_rate_limiter_before_authentication_distinct_keys_do_not_share_a_bucket(string partition)
    {
        await using var host = await OrderedHost.StartAsync(rateLimiterFirst: true, partition);

        (await host.GetAsync("key-a")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync("key-a")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "key-a used its one request");
        using var other = await host.GetAsync("key-b");

        other.StatusCode.Should().Be(HttpStatusCode.OK, "key-b has a bucket of its own");
        other.Header("RateLimit").Should().Be("\"per-key\";r=0;t=3600");
    }

    [Fact]
    public async Task With_the_rate_limiter_before_authentication_a_request_without_a_key_gets_401_not_429()
    {
        await using var host = await OrderedHost.StartAsync(rateLimiterFirst: true);
        await host.GetAsync("key-a");
        await host.GetAsync("key-b");

        using var anonymous = await host.GetAsync(key: null);

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "keyed requests did not use up the anonymous bucket");
    }

    [Fact]
    public async Task With_the_rate_limiter_before_authentication_one_warning_names_the_fix()
    {
        await using var host = await OrderedHost.StartAsync(rateLimiterFirst: true);

        await host.GetAsync("key-a");
        await host.GetAsync("key-b");
        await host.GetAsync(key: null);

        var warning = host.Logs.GetSnapshot().Should().ContainSingle(r => IsOrderWarning(r)).Which;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain("call app.UseAuthentication() before app.UseRateLimiter()").And.Contain("'per-key'").And.Contain("'test'");
    }

    [Fact]
    public async Task With_authentication_before_the_rate_limiter_keys_have_their_own_buckets_and_no_warning_is_logged()
    {
        await using var host = await OrderedHost.StartAsync(rateLimiterFirst: false);

        (await host.GetAsync("key-a")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync("key-a")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await host.GetAsync("key-b")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync(key: null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        // The rejection of key-a was logged by the same logger (event 5), so a warning would have been collected too.
        var logs = host.Logs.GetSnapshot();
        logs.Should().Contain(r => r.Category == "Strata.RateLimiting" && r.Id.Name == "Rejected");
        logs.Should().NotContain(r => IsOrderWarning(r));
    }

    [Fact]
    public async Task Without_authentication_services_a_user_set_by_other_middleware_is_partitioned_as_before()
    {
        // TestHost sets the user itself and registers no authentication: nothing to wait for.
        await using var host = await TestHost.StartAsync(o => o.AddGcraPolicy("per-key", RatePartition.ByApiKey, limit: 1, period: TimeSpan.FromHours(1)));

        (await host.GetAsync("key-a")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync("key-a")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await host.GetAsync("key-b")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    private sealed class OrderedHost(WebApplication app, FakeLogCollector logs) : IAsyncDisposable
    {
        private readonly HttpClient _client = app.GetTestClient();

        public FakeLogCollector Logs => logs;

        public static async Task<OrderedHost> StartAsync(bool rateLimiterFirst, string partition = "by-key")
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseTestServer();
            builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Debug);
            builder.Services.AddSingleton<TimeProvider>(TestHost.NewClock());
            builder.Services.AddAuthentication(KeyHeaderHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, KeyHeaderHandler>(KeyHeaderHandler.SchemeName, null);
            builder.Services.AddAuthorization();
            builder.Services.AddStrataRateLimiting();
            builder.Services.AddRateLimiter(o => o.AddGcraPolicy(
                "per-key",
                partition == "by-key" ? RatePartition.ByApiKey : RatePartition.ByUser,
                limit: 1,
                period: TimeSpan.FromHours(1)));

            var app = builder.Build();
            if (rateLimiterFirst)
            {
                app.UseRateLimiter();
                app.UseAuthentication();
            }
            else
            {
                app.UseAuthentication();
                app.UseRateLimiter();
            }

            app.UseAuthorization();
            app.MapGet("/limited", () => "ok").RequireRateLimiting("per-key").RequireAuthorization();
            await app.StartAsync();
            return new OrderedHost(app, app.Services.GetFakeLogCollector());
        }

        public Task<HttpResponseMessage> GetAsync(string? key)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/limited");
            if (key is not null)
            {
                request.Headers.Add(TestHost.KeyHeader, key);
            }

            return _client.SendAsync(request);
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await app.DisposeAsync();
        }
    }

    /// <summary>A real authentication scheme standing in for Strata.ApiKeys: the X-Test-Key header is the key id and the user.</summary>
    private sealed class KeyHeaderHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "test";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(TestHost.KeyHeader, out var key))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(RatePartition.ApiKeyIdClaimType, key.ToString()), new Claim(ClaimTypes.NameIdentifier, key.ToString())], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}
