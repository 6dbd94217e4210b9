using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

/// <summary>
/// <see cref="ApiKeyAuthenticationOptions.CacheOnConnection"/>: the key last validated on a keep-alive HTTP/1.x
/// connection is reused without hashing, under the cache's rules. The lookup's own rules first, then real Kestrel
/// connections.
/// </summary>
public sealed class ConnectionCacheTests
{
    private const string Scheme = ApiKeyDefaults.AuthenticationScheme;

    [Fact]
    public async Task Remembered_key_is_reused_for_the_same_key_only()
    {
        await using var app = await TestApp.StartAsync();
        var lookup = app.App.Services.GetRequiredService<ApiKeyLookup>();
        var created = await app.CreateKeyAsync();
        var other = await app.CreateKeyAsync();
        var memo = new ConnectionKeyMemo();

        var record = await lookup.FindAsync(created.Key, memo, Scheme, CancellationToken.None);

        record.Should().NotBeNull();
        var sameKeyNewString = new string(created.Key.AsSpan());
        lookup.TryReuse(memo, sameKeyNewString, app.Time.GetUtcNow(), out var snapshot).Should().BeTrue();
        snapshot!.Entry.Record.Should().BeSameAs(record);
        snapshot.Feature.Record.Should().BeSameAs(record);
        snapshot.Feature.Scheme.Should().Be(Scheme);

        var oneCharacterOff = created.Key[..^1] + (created.Key[^1] == 'A' ? 'B' : 'A');
        lookup.TryReuse(memo, oneCharacterOff, app.Time.GetUtcNow(), out _).Should().BeFalse();
        lookup.TryReuse(memo, other.Key, app.Time.GetUtcNow(), out _).Should().BeFalse();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(29)]
    [InlineData(56)]
    public void Key_comparison_finds_a_difference_at_any_position_and_a_length_difference(int position)
    {
        var key = ApiKeyFormat.Generate("sk_test");
        var chars = key.ToCharArray();
        chars[position] = chars[position] == 'A' ? 'B' : 'A';
        var differing = new string(chars);

        ConnectionKeyMemo.Same(key, new string(key.AsSpan())).Should().BeTrue();
        ConnectionKeyMemo.Same(key, differing).Should().BeFalse($"they differ at {position}");
        ConnectionKeyMemo.Same(key, key[..^1]).Should().BeFalse();
        ConnectionKeyMemo.Same(key, key + "A").Should().BeFalse();
        ConnectionKeyMemo.Same(string.Empty, string.Empty).Should().BeTrue();
    }

    [Fact]
    public async Task Remembered_key_is_not_reused_once_CacheDuration_has_passed()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.FromSeconds(30));
        var lookup = app.App.Services.GetRequiredService<ApiKeyLookup>();
        var created = await app.CreateKeyAsync();
        var memo = new ConnectionKeyMemo();
        await lookup.FindAsync(created.Key, memo, Scheme, CancellationToken.None);

        app.Time.Advance(TimeSpan.FromSeconds(29));
        lookup.TryReuse(memo, created.Key, app.Time.GetUtcNow(), out _).Should().BeTrue();

        app.Time.Advance(TimeSpan.FromSeconds(1));
        lookup.TryReuse(memo, created.Key, app.Time.GetUtcNow(), out _).Should().BeFalse();
    }

    [Fact]
    public async Task Remembered_key_is_not_reused_after_any_revoke_on_this_node()
    {
        await using var app = await TestApp.StartAsync();
        var lookup = app.App.Services.GetRequiredService<ApiKeyLookup>();
        var created = await app.CreateKeyAsync();
        var unrelated = await app.CreateKeyAsync();
        var memo = new ConnectionKeyMemo();
        await lookup.FindAsync(created.Key, memo, Scheme, CancellationToken.None);

        await app.Manager.RevokeAsync(unrelated.Record.Id);

        lookup.TryReuse(memo, created.Key, app.Time.GetUtcNow(), out _).Should().BeFalse("an invalidation on this node retires every remembered key");
    }

    [Fact]
    public async Task Unknown_key_is_never_remembered()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.Enabled = false);
        var lookup = app.App.Services.GetRequiredService<ApiKeyLookup>();
        var memo = new ConnectionKeyMemo();
        var unknown = ApiKeyFormat.Generate("sk_test");

        (await lookup.FindAsync(unknown, memo, Scheme, CancellationToken.None)).Should().BeNull();

        memo.Current.Should().BeNull();
        lookup.TryReuse(memo, unknown, app.Time.GetUtcNow(), out _).Should().BeFalse();
    }

    [Fact]
    public async Task Nothing_is_remembered_when_caching_is_off()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.Zero);
        var lookup = app.App.Services.GetRequiredService<ApiKeyLookup>();
        var created = await app.CreateKeyAsync();
        var memo = new ConnectionKeyMemo();

        (await lookup.FindAsync(created.Key, memo, Scheme, CancellationToken.None)).Should().NotBeNull();

        memo.Current.Should().BeNull();
    }

    [Fact]
    public async Task Keep_alive_connection_remembers_the_key_and_later_requests_authenticate_alike()
    {
        await using var host = await KestrelHost.StartAsync(cacheOnConnection: true);
        var created = await host.CreateKeyAsync();

        var first = await host.GetAsync(created.Key);
        var second = await host.GetAsync(created.Key);

        first.Status.Should().Be(HttpStatusCode.OK);
        second.Status.Should().Be(HttpStatusCode.OK);
        second.Body!.Connection.Should().Be(first.Body!.Connection, "the client keeps one connection alive");
        first.Body.Remembered.Should().BeTrue();
        second.Body.Should().BeEquivalentTo(first.Body);
        second.Body.Id.Should().Be(created.Record.Id);
        second.Body.FeatureId.Should().Be(created.Record.Id);
        host.Store.FindByHashCalls.Should().Be(1);
    }

    [Fact]
    public async Task Nothing_is_kept_on_the_connection_when_CacheOnConnection_is_false()
    {
        await using var host = await KestrelHost.StartAsync(cacheOnConnection: false);
        var created = await host.CreateKeyAsync();

        var first = await host.GetAsync(created.Key);
        var second = await host.GetAsync(created.Key);

        second.Status.Should().Be(HttpStatusCode.OK);
        first.Body!.Remembered.Should().BeFalse();
        second.Body!.Remembered.Should().BeFalse();
        second.Body.Id.Should().Be(created.Record.Id);
    }

    [Fact]
    public async Task Revoked_key_is_refused_on_the_next_request_of_the_same_connection()
    {
        await using var host = await KestrelHost.StartAsync(cacheOnConnection: true);
        var created = await host.CreateKeyAsync();
        (await host.GetAsync(created.Key)).Status.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync(created.Key)).Status.Should().Be(HttpStatusCode.OK);

        await host.Manager.RevokeAsync(created.Record.Id);

        (await host.GetAsync(created.Key)).Status.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Two_keys_alternating_on_one_connection_each_authenticate_as_themselves()
    {
        await using var host = await KestrelHost.StartAsync(cacheOnConnection: true);
        var a = await host.CreateKeyAsync();
        var b = await host.CreateKeyAsync();
        var unknown = ApiKeyFormat.Generate("sk_test");

        var ids = new List<string?>();
        foreach (var key in new[] { a.Key, b.Key, a.Key, a.Key, b.Key })
        {
            var response = await host.GetAsync(key);
            response.Status.Should().Be(HttpStatusCode.OK);
            ids.Add(response.Body!.Id);
        }

        (await host.GetAsync(unknown)).Status.Should().Be(HttpStatusCode.Unauthorized);
        (await host.GetAsync(a.Key)).Body!.Id.Should().Be(a.Record.Id);
        ids.Should().Equal(a.Record.Id, b.Record.Id, a.Record.Id, a.Record.Id, b.Record.Id);
    }

    [Fact]
    public async Task Same_connection_asks_the_store_again_once_CacheDuration_has_passed()
    {
        await using var host = await KestrelHost.StartAsync(cacheOnConnection: true, cacheDuration: TimeSpan.FromSeconds(30));
        var created = await host.CreateKeyAsync();
        (await host.GetAsync(created.Key)).Status.Should().Be(HttpStatusCode.OK);
        (await host.GetAsync(created.Key)).Status.Should().Be(HttpStatusCode.OK);
        host.Store.FindByHashCalls.Should().Be(1);

        host.Time.Advance(TimeSpan.FromSeconds(30));

        (await host.GetAsync(created.Key)).Status.Should().Be(HttpStatusCode.OK);
        host.Store.FindByHashCalls.Should().Be(2);
    }

    [Fact]
    public async Task Expired_key_is_refused_on_the_same_connection_though_it_is_remembered()
    {
        await using var host = await KestrelHost.StartAsync(cacheOnConnection: true, cacheDuration: TimeSpan.FromHours(1));
        var created = await host.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "o", ExpiresAt = host.Time.GetUtcNow().AddMinutes(1) });
        (await host.GetAsync(created.Key)).Status.Should().Be(HttpStatusCode.OK);

        host.Time.Advance(TimeSpan.FromMinutes(1));

        (await host.GetAsync(created.Key)).Status.Should().Be(HttpStatusCode.Unauthorized);
    }

    private sealed record MeResponse(string? Id, string? FeatureId, string? Name, string Connection, bool Remembered);

    /// <summary>Kestrel on loopback with a counting store, a fake clock and one keep-alive client connection.</summary>
    private sealed class KestrelHost : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly HttpClient _client;

        private KestrelHost(WebApplication app, HttpClient client, CountingStore store, FakeTimeProvider time)
        {
            _app = app;
            _client = client;
            Store = store;
            Time = time;
        }

        public CountingStore Store { get; }

        public FakeTimeProvider Time { get; }

        public IApiKeyManager Manager => _app.Services.GetRequiredService<IApiKeyManager>();

        public static async Task<KestrelHost> StartAsync(bool cacheOnConnection, TimeSpan? cacheDuration = null)
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 1, 0, 0, TimeSpan.Zero));
            var store = new CountingStore(new InMemoryApiKeyStore());
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<TimeProvider>(time);
            builder.Services.AddSingleton<IApiKeyStore>(store);
            builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o =>
            {
                o.Prefix = "sk_test";
                o.CacheOnConnection = cacheOnConnection;
            });
            builder.Services.AddAuthorization();
            builder.Services.AddStrataApiKeys(o =>
            {
                o.BruteForce.Enabled = false;
                o.CacheDuration = cacheDuration ?? o.CacheDuration;
            });
            var app = builder.Build();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/me", (HttpContext c) => new MeResponse(
                c.User.FindFirstValue(ApiKeyClaimTypes.KeyId),
                c.Features.Get<IApiKeyFeature>()?.Record.Id,
                c.User.Identity?.Name,
                c.Connection.Id,
                c.Features.Get<IConnectionItemsFeature>()?.Items.Values.OfType<ConnectionKeyMemo>().Any(m => m.Current is not null) == true))
                .RequireAuthorization();
            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = address };
            return new KestrelHost(app, client, store, time);
        }

        public Task<CreatedApiKey> CreateKeyAsync() => Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "owner-1" });

        public async Task<(HttpStatusCode Status, MeResponse? Body)> GetAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
            request.Headers.TryAddWithoutValidation(ApiKeyDefaults.HeaderName, key);
            using var response = await _client.SendAsync(request);
            return (response.StatusCode, response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<MeResponse>() : null);
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
