using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Strata.ApiKeys.Tests;

/// <summary>
/// A keep-alive connection that remembers a valid key (<see cref="ApiKeyAuthenticationOptions.CacheOnConnection"/>)
/// compares the presented key with it before the format check (issue 23): any other key, malformed or well-formed,
/// still gets 401 and counts as a failure for the brute-force guard, on a real Kestrel connection.
/// </summary>
public sealed class ConnectionCacheFailureTests
{
    [Fact]
    public async Task Wrong_keys_on_a_connection_that_remembers_a_valid_key_get_401_and_count_as_failures()
    {
        await using var host = await Host.StartAsync(permitFailures: 2);
        var valid = await host.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "o" });
        var unknown = ApiKeyFormat.Generate("sk_test");
        var sameLengthMalformed = valid.Key[..^1] + (valid.Key[^1] == 'A' ? 'B' : 'A');   // checksum no longer matches

        (await host.GetAsync(valid.Key)).Should().Be(HttpStatusCode.OK);
        (await host.GetAsync(valid.Key)).Should().Be(HttpStatusCode.OK, "the remembered key");
        (await host.GetAsync(sameLengthMalformed)).Should().Be(HttpStatusCode.Unauthorized);
        (await host.GetAsync(unknown)).Should().Be(HttpStatusCode.Unauthorized);

        // Two failures: the address is now blocked, so the next wrong key is throttled, while the valid key is still
        // accepted (a client behind the same address as a guesser keeps working).
        (await host.GetAsync(sameLengthMalformed)).Should().Be(HttpStatusCode.TooManyRequests);
        (await host.GetAsync(valid.Key)).Should().Be(HttpStatusCode.OK);
        (await host.GetAsync("sk_test_short")).Should().Be(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task A_key_with_another_prefix_is_malformed_even_after_a_valid_key_on_the_connection()
    {
        await using var host = await Host.StartAsync(permitFailures: 10);
        var valid = await host.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "o" });
        var otherPrefix = "sk_prod" + valid.Key["sk_test".Length..];

        (await host.GetAsync(valid.Key)).Should().Be(HttpStatusCode.OK);
        (await host.GetAsync(otherPrefix)).Should().Be(HttpStatusCode.Unauthorized);
        (await host.GetAsync(valid.Key)).Should().Be(HttpStatusCode.OK);
    }

    /// <summary>Kestrel on loopback, brute-force protection on, and one keep-alive client connection.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly HttpClient _client;

        private Host(WebApplication app, HttpClient client)
        {
            _app = app;
            _client = client;
        }

        public IApiKeyManager Manager => _app.Services.GetRequiredService<IApiKeyManager>();

        public static async Task<Host> StartAsync(int permitFailures)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 22, 0, 0, TimeSpan.Zero)));
            builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o => o.Prefix = "sk_test");
            builder.Services.AddAuthorization();
            builder.Services.AddStrataApiKeys(o => o.BruteForce.PermitFailures = permitFailures).UseInMemoryStore();
            var app = builder.Build();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/me", (HttpContext c) => c.Connection.Id).RequireAuthorization();
            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = address };
            return new Host(app, client);
        }

        public async Task<HttpStatusCode> GetAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
            request.Headers.TryAddWithoutValidation(ApiKeyDefaults.HeaderName, key);
            using var response = await _client.SendAsync(request);
            return response.StatusCode;
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
