using System.Diagnostics;
using System.Net;
using BenchmarkDotNet.Attributes;
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

/// <summary>
/// Request throughput of a real Kestrel host on loopback with API-key authentication, against the same host
/// without it (the baseline), measured in the same run. Every request carries the same key header in both cases,
/// so the bytes on the wire are identical; only the host's pipeline differs. The load comes from an
/// <see cref="HttpClient"/> over <see cref="SocketsHttpHandler"/> with <see cref="Concurrency"/> callers, each on
/// its own HTTP/1.1 connection. One operation is one request.
/// </summary>
[RequestThroughput]
[MemoryDiagnoser]
[BenchmarkCategory("ApiKeys", "EndToEnd")]
public class ApiKeyEndToEndBenchmarks
{
    /// <summary>Requests sent per benchmark invocation, split among the callers.</summary>
    public const int RequestsPerInvoke = 2048;

    private const string Prefix = "sk_live";
    private const string Path = "/v1/ping";

    private readonly Process _process = Process.GetCurrentProcess();
    private WebApplication? _app;
    private TimeSpan _cpu;
    private long _requests;
    private HttpClient? _client;

    /// <summary>Concurrent callers (and connections).</summary>
    [Params(16, 64)]
    public int Concurrency { get; set; }

    /// <summary>Starts the host without authentication.</summary>
    [GlobalSetup(Target = nameof(WithoutAuthentication))]
    public Task SetupWithoutAuthentication() => StartAsync(HostShape.NoAuthentication);

    /// <summary>Starts the host with a do-nothing scheme on the endpoint.</summary>
    [GlobalSetup(Target = nameof(WithFixedPrincipalScheme))]
    public Task SetupWithFixedPrincipalScheme() => StartAsync(HostShape.FixedPrincipalScheme);

    /// <summary>Starts the host with the API-key scheme on the endpoint.</summary>
    [GlobalSetup(Target = nameof(WithApiKey))]
    public Task SetupWithApiKey() => StartAsync(HostShape.ApiKey);

    /// <summary>Stops the host and the client.</summary>
    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        // CPU time (client and server, all threads) per request: far less sensitive than wall time to other
        // processes on a shared machine. Printed into the log; docs/benchmarks.md quotes it.
        if (_requests > 0)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"// CPU per request: {_cpu.TotalMicroseconds / _requests:F1} us over {_requests} requests (Concurrency={Concurrency})"));
        }

        _process.Dispose();
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>The host without authentication: the baseline.</summary>
    /// <returns>A task.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = RequestsPerInvoke)]
    public Task WithoutAuthentication() => LoadAsync();

    /// <summary>
    /// The same pipeline as <see cref="WithApiKey"/> (authentication, authorization, <c>RequireAuthorization</c>) with a
    /// scheme that does no work: what ASP.NET Core's authentication and authorization cost before any scheme logic.
    /// </summary>
    /// <returns>A task.</returns>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public Task WithFixedPrincipalScheme() => LoadAsync();

    /// <summary>The same host with <c>AddApiKey</c>, <c>UseAuthentication</c>, <c>UseAuthorization</c> and <c>RequireAuthorization</c>.</summary>
    /// <returns>A task.</returns>
    [Benchmark(OperationsPerInvoke = RequestsPerInvoke)]
    public Task WithApiKey() => LoadAsync();

    private async Task LoadAsync()
    {
        var cpuBefore = _process.TotalProcessorTime;
        await SendAllAsync();
        _cpu += _process.TotalProcessorTime - cpuBefore;
        _requests += RequestsPerInvoke;
    }

    private async Task SendAllAsync()
    {
        var client = _client!;
        var remaining = RequestsPerInvoke;
        var callers = new Task[Concurrency];
        for (var i = 0; i < callers.Length; i++)
        {
            callers[i] = Task.Run(async () =>
            {
                while (Interlocked.Decrement(ref remaining) >= 0)
                {
                    await SendAsync(client);
                }
            });
        }

        await Task.WhenAll(callers);
    }

    private static async Task SendAsync(HttpClient client)
    {
        using var response = await client.GetAsync(Path, HttpCompletionOption.ResponseContentRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Expected 200 from {Path}, got {(int)response.StatusCode}.");
        }
    }

    private async Task StartAsync(HostShape shape)
    {
        var authenticate = shape != HostShape.NoAuthentication;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();  // both hosts: no per-request log output to measure
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        if (shape == HostShape.ApiKey)
        {
            builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o => o.Prefix = Prefix);
            builder.Services.AddApiKeys().AddInMemoryStore();
        }
        else if (shape == HostShape.FixedPrincipalScheme)
        {
            builder.Services.AddAuthentication(FixedPrincipalHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, FixedPrincipalHandler>(FixedPrincipalHandler.SchemeName, null);
        }

        if (authenticate)
        {
            builder.Services.AddAuthorization();
        }

        var app = builder.Build();
        if (authenticate)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }

        var endpoint = app.MapGet(Path, static () => "pong");
        if (authenticate)
        {
            endpoint.RequireAuthorization();
        }

        await app.StartAsync();
        _app = app;

        // The key exists in both runs' requests; only the authenticated host checks it.
        var key = shape == HostShape.ApiKey
            ? (await app.Services.GetRequiredService<IApiKeyManager>().CreateAsync(new ApiKeyCreateRequest { Owner = "benchmarks", Scopes = ["ping"] })).Key
            : ApiKeyFormat.Generate(Prefix);

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            MaxConnectionsPerServer = Concurrency,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _client = new HttpClient(handler) { BaseAddress = new Uri(address) };
        _client.DefaultRequestHeaders.Add("X-Api-Key", key);

        // Open the connections and fill the key cache before BenchmarkDotNet's own warm-up.
        var warm = new Task[Concurrency * 4];
        for (var i = 0; i < warm.Length; i++)
        {
            warm[i] = SendAsync(_client);
        }

        await Task.WhenAll(warm);
    }

    private enum HostShape
    {
        NoAuthentication,
        FixedPrincipalScheme,
        ApiKey,
    }
}
