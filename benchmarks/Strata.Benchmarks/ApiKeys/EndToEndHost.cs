using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strata.ApiKeys;
using Strata.Benchmarks.Infrastructure;

namespace Strata.Benchmarks.ApiKeys;

/// <summary>The shapes of host the end-to-end benchmark compares; each differs from the baseline in one respect.</summary>
public enum HostShape
{
    /// <summary>The baseline: no authentication, no authorization.</summary>
    NoAuthentication,

    /// <summary>
    /// <c>UseAuthentication</c> + <c>UseAuthorization</c> + <c>RequireAuthorization()</c> with a scheme that does no work
    /// (it returns a ready-made principal): ASP.NET Core's own cost, the floor under any scheme.
    /// </summary>
    FixedPrincipalScheme,

    /// <summary>The same pipeline with the API-key scheme and the in-memory store: what a host with Strata pays.</summary>
    ApiKey,

    /// <summary>
    /// The do-nothing scheme's pipeline with a scheme that builds, per request, the principal the API-key scheme builds
    /// (<see cref="FreshPrincipalHandler"/>) and does nothing else: the floor plus the principal any real scheme creates.
    /// </summary>
    FreshPrincipalScheme,

    /// <summary>
    /// <c>UseAuthentication</c> with the do-nothing scheme and no authorization at all (no <c>UseAuthorization</c>, no
    /// <c>RequireAuthorization()</c>): splits the framework's floor into its authentication and authorization parts.
    /// Not a host a real API would run (nothing refuses an anonymous caller).
    /// </summary>
    AuthenticationOnly,
}

/// <summary>One Kestrel host on a loopback port with one endpoint, <c>GET /v1/ping</c> returning <c>"pong"</c>.</summary>
internal sealed class EndToEndHost : IAsyncDisposable
{
    public const string Path = "/v1/ping";
    public const string Prefix = "sk_live";

    private readonly WebApplication _app;

    private EndToEndHost(WebApplication app, Uri address, string key)
    {
        _app = app;
        Address = address;
        Key = key;
    }

    public Uri Address { get; }

    /// <summary>A key the host accepts (for the API-key host), or a well-formed key it never checks (the others).</summary>
    public string Key { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<EndToEndHost> StartAsync(HostShape shape)
    {
        var authenticate = shape != HostShape.NoAuthentication;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();  // every host: no per-request log output to measure
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        if (shape == HostShape.ApiKey)
        {
            builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o => o.Prefix = Prefix);
            builder.Services.AddStrataApiKeys().UseInMemoryStore();
        }
        else if (shape == HostShape.FreshPrincipalScheme)
        {
            builder.Services.AddAuthentication(FreshPrincipalHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, FreshPrincipalHandler>(FreshPrincipalHandler.SchemeName, null);
        }
        else if (shape is HostShape.FixedPrincipalScheme or HostShape.AuthenticationOnly)
        {
            builder.Services.AddAuthentication(FixedPrincipalHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, FixedPrincipalHandler>(FixedPrincipalHandler.SchemeName, null);
        }

        var authorize = authenticate && shape != HostShape.AuthenticationOnly;
        if (authorize)
        {
            builder.Services.AddAuthorization();
        }

        var app = builder.Build();
        if (authenticate)
        {
            app.UseAuthentication();
        }

        if (authorize)
        {
            app.UseAuthorization();
        }

        var endpoint = app.MapGet(Path, static () => "pong");
        if (authorize)
        {
            endpoint.RequireAuthorization();
        }

        await app.StartAsync();

        // Every host gets the same header bytes, so the client does the same work whatever the host.
        var key = shape == HostShape.ApiKey
            ? (await app.Services.GetRequiredService<IApiKeyManager>().CreateAsync(new ApiKeyCreateRequest { Owner = "benchmarks", Scopes = ["ping"] })).Key
            : ApiKeyFormat.Generate(Prefix);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new EndToEndHost(app, new Uri(address), key);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
