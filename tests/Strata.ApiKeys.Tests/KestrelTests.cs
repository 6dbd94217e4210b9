using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strata.ApiKeys.Internal;
using Xunit.Abstractions;

namespace Strata.ApiKeys.Tests;

/// <summary>Raw bytes over a real socket to Kestrel on loopback: what HttpClient would never send.</summary>
public sealed class KestrelTests(ITestOutputHelper output) : IAsyncLifetime
{
    private WebApplication _app = null!;
    private CountingStore _store = null!;
    private Uri _address = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _store = new CountingStore(new InMemoryApiKeyStore());
        builder.Services.AddSingleton<IApiKeyStore>(_store);
        builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme)
            .AddApiKey(o => o.Prefix = "sk_test")
            .AddCookie();
        builder.Services.AddAuthorization();
        builder.Services.AddStrataApiKeys(o => o.BruteForce.Enabled = false);
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGet("/me", (HttpContext c) => c.User.Identity!.AuthenticationType).RequireAuthorization();
        _app.MapGet("/either", (HttpContext c) => c.User.Identity!.AuthenticationType)
            .RequireAuthorization(p => p.AddAuthenticationSchemes(ApiKeyDefaults.AuthenticationScheme, CookieAuthenticationDefaults.AuthenticationScheme).RequireAuthenticatedUser());
        _app.MapPost("/login", async (HttpContext c) =>
        {
            var identity = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("sub", "human")], CookieAuthenticationDefaults.AuthenticationScheme);
            await c.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new System.Security.Claims.ClaimsPrincipal(identity));
        });
        await _app.StartAsync();
        _address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        _key = (await _app.Services.GetRequiredService<IApiKeyManager>().CreateAsync(new ApiKeyCreateRequest { Owner = "o" })).Key;
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Valid_key_over_a_raw_socket_gets_200()
    {
        var status = await SendRawAsync($"X-Api-Key: {_key}\r\n");

        status.Should().Be(200);
    }

    public static TheoryData<string, byte[]> HostileHeaders() => new()
    {
        { "repeated header", Encoding.ASCII.GetBytes("X-Api-Key: sk_test_a\r\nX-Api-Key: sk_test_b\r\n") },
        { "empty", Encoding.ASCII.GetBytes("X-Api-Key: \r\n") },
        { "whitespace", Encoding.ASCII.GetBytes("X-Api-Key:    \t  \r\n") },
        { "8 KiB", Encoding.ASCII.GetBytes("X-Api-Key: sk_test_" + new string('A', 8 * 1024) + "\r\n") },
        { "64 KiB", Encoding.ASCII.GetBytes("X-Api-Key: sk_test_" + new string('A', 64 * 1024) + "\r\n") },
        { "non-ASCII (UTF-8 bytes)", Encoding.UTF8.GetBytes("X-Api-Key: sk_test_" + new string('é', 49) + "\r\n") },
        { "control characters", [.. Encoding.ASCII.GetBytes("X-Api-Key: sk_test_"), 0x01, 0x02, 0x7F, .. Encoding.ASCII.GetBytes("\r\n")] },
        { "NUL", [.. Encoding.ASCII.GetBytes("X-Api-Key: sk_test_"), 0x00, .. Encoding.ASCII.GetBytes("abc\r\n")] },
        { "wrong prefix", Encoding.ASCII.GetBytes("X-Api-Key: " + ApiKeyFormat.Generate("sk_live") + "\r\n") },
    };

    [Theory]
    // The data holds freshly generated keys, so each run names its cases differently; one test case at discovery keeps
    // the names stable for runners that match discovered tests to results (Stryker.NET, see build/mutation.sh).
    [MemberData(nameof(HostileHeaders), DisableDiscoveryEnumeration = true)]
    public async Task Hostile_header_over_Kestrel_is_refused_with_a_4xx_never_a_500_and_never_reaches_the_store(string what, byte[] header)
    {
        var lookups = _store.FindByHashCalls;

        var status = await SendRawAsync(header);
        output.WriteLine($"{what}: {status}");

        // Kestrel itself refuses some byte sequences (400 for bad characters, 431 for oversized headers) before any
        // handler runs; everything it lets through gets the handler's 401.
        status.Should().BeOneOf([401, 400, 431], what);
        status.Should().BeLessThan(500, what);
        _store.FindByHashCalls.Should().Be(lookups, what);
    }

    [Theory]
    [InlineData("repeated header")]
    [InlineData("empty")]
    [InlineData("wrong prefix")]
    [InlineData("8 KiB")]
    public async Task Header_Kestrel_accepts_gets_the_handlers_401(string what)
    {
        var header = (byte[])HostileHeaders().Single(row => (string)row[0] == what)[1];

        var status = await SendRawAsync(header);

        status.Should().Be(401, what);
    }

    [Fact]
    public async Task Api_key_scheme_coexists_with_cookies_on_one_endpoint()
    {
        using var handler = new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = _address };
        using var service = new HttpClient { BaseAddress = _address };
        service.DefaultRequestHeaders.Add("X-Api-Key", _key);

        (await browser.PostAsync("/login", content: null)).EnsureSuccessStatusCode();
        var byCookie = await browser.GetStringAsync("/either");
        var byKey = await service.GetStringAsync("/either");

        byCookie.Should().Be(CookieAuthenticationDefaults.AuthenticationScheme);
        byKey.Should().Be(ApiKeyDefaults.AuthenticationScheme);
    }

    private Task<int> SendRawAsync(string headers) => SendRawAsync(Encoding.ASCII.GetBytes(headers));

    private async Task<int> SendRawAsync(byte[] headers)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, _address.Port);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var head = Encoding.ASCII.GetBytes($"GET /me HTTP/1.1\r\nHost: 127.0.0.1:{_address.Port}\r\nConnection: close\r\n");
        await stream.WriteAsync(head);
        await stream.WriteAsync(headers);
        await stream.WriteAsync("\r\n"u8.ToArray());
        await stream.FlushAsync();

        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? throw new InvalidOperationException("No response from Kestrel.");
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
