using System.Globalization;
using System.Net;
using Strata.Reliability.Tests.Infrastructure;
using Strata.Testing;

namespace Strata.Reliability.Tests.Gateway;

/// <summary>
/// The sample behind a real reverse proxy, every part its own process: a redis-server, two api nodes (role <c>api</c>,
/// one SQLite file) that apply <c>X-Forwarded-For</c> only from the gateway's address (127.0.0.1), and the gateway
/// (samples/Strata.Sample.Gateway) terminating TLS on 127.0.0.1 with a certificate made at run time. Clients reach it
/// from other loopback addresses (127.0.0.2, ...), so each is seen at an address of its own.
/// </summary>
public sealed class GatewayStack : IAsyncDisposable
{
    /// <summary>Failed API-key attempts an address may make on each node before it is blocked (the default is 10).</summary>
    public const int PermitFailures = 3;

    /// <summary>The address the gateway connects to the nodes from: the only proxy the nodes trust.</summary>
    public static readonly IPAddress ProxyAddress = IPAddress.Loopback;

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly RedisServer _redis;

    private GatewayStack(RedisServer redis, SampleDeployment deployment, DevelopmentCertificate certificate, IReadOnlyList<SampleProcess> nodes, SampleProcess gateway, Uri address, string key)
    {
        _redis = redis;
        Deployment = deployment;
        Certificate = certificate;
        Nodes = nodes;
        Gateway = gateway;
        Address = address;
        Key = key;
    }

    public SampleDeployment Deployment { get; }

    public DevelopmentCertificate Certificate { get; }

    public IReadOnlyList<SampleProcess> Nodes { get; }

    public SampleProcess Gateway { get; }

    /// <summary><c>https://127.0.0.1:&lt;port&gt;</c>.</summary>
    public Uri Address { get; }

    /// <summary>A valid key (scopes <c>analyze</c> and <c>jobs:write</c>) on a plan whose limits no test reaches.</summary>
    public string Key { get; }

    /// <summary>A client at <paramref name="clientAddress"/> (e.g. 127.0.0.2) talking to the gateway over TLS, trusting only its certificate.</summary>
    public HttpClient ClientThroughGateway(IPAddress clientAddress) => ClientAddress.From(clientAddress, Address, Certificate);

    /// <summary>A client at <paramref name="clientAddress"/> talking to api node <paramref name="node"/> directly, around the gateway.</summary>
    public HttpClient ClientToNode(IPAddress clientAddress, int node) => ClientAddress.From(clientAddress, Nodes[node].BaseAddress!);

    public static async Task<GatewayStack> StartAsync(IReadOnlyDictionary<string, string>? nodeSettings = null)
    {
        var redis = await RedisServer.StartAsync();
        SampleDeployment? deployment = null;
        DevelopmentCertificate? certificate = null;
        try
        {
            var settings = new Dictionary<string, string>(nodeSettings ?? new Dictionary<string, string>())
            {
                ["Api__ForwardedHeaders__KnownProxies__0"] = ProxyAddress.ToString(),
                ["Api__DrainDelay"] = "00:00:06",   // as samples/README.md says for nodes behind the gateway
                ["ApiKeys__BruteForce__PermitFailures"] = PermitFailures.ToString(CultureInfo.InvariantCulture),
                ["RateLimiting__Policies__per-key__Tiers__gateway"] = "10000000",
                ["RateLimiting__Policies__tokens__Tiers__gateway"] = "1000000000",
            };
            deployment = new SampleDeployment(redis.ConnectionString, settings);
            certificate = DevelopmentCertificate.Create(deployment.Folder);
            var key = await deployment.CreateKeyAsync("gateway", "analyze,jobs:write", plan: "gateway");
            var starting = new[] { deployment.StartAsync("api"), deployment.StartAsync("api") };
            var nodes = new[] { await starting[0], await starting[1] };

            var address = new Uri($"https://127.0.0.1:{SampleProcess.FreePort()}");
            var gateway = deployment.StartGateway(address, new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Kestrel__Endpoints__Https__Url"] = address.ToString().TrimEnd('/'),
                ["Kestrel__Endpoints__Https__Certificate__Path"] = certificate.CertificatePath,
                ["Kestrel__Endpoints__Https__Certificate__KeyPath"] = certificate.KeyPath,
                ["ReverseProxy__Clusters__api__Destinations__node1__Address"] = nodes[0].BaseAddress!.ToString(),
                ["ReverseProxy__Clusters__api__Destinations__node2__Address"] = nodes[1].BaseAddress!.ToString(),
            });
            var stack = new GatewayStack(redis, deployment, certificate, nodes, gateway, address, key);
            await stack.WaitUntilReadyAsync();
            return stack;
        }
        catch
        {
            certificate?.Dispose();
            if (deployment is not null)
            {
                await deployment.DisposeAsync();
            }

            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>An analysis request (<c>POST /v1/analyze</c>) with the stack's key, or <paramref name="key"/>.</summary>
    public HttpRequestMessage Analyze(string? key = null, int text = 0)
    {
        var request = SampleApi.Request(HttpMethod.Post, "/v1/analyze", SampleApi.Texts[text % SampleApi.Texts.Length]);
        request.Headers.Add("X-Api-Key", key ?? Key);
        return request;
    }

    public string Outputs() => Deployment.Outputs().Replace(Key, "<key>", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await Deployment.DisposeAsync();
        Certificate.Dispose();
        await _redis.DisposeAsync();
    }

    /// <summary>Polls <c>/health/ready</c> through the gateway (over TLS) until a node answers 200.</summary>
    private async Task WaitUntilReadyAsync()
    {
        using var client = ClientThroughGateway(IPAddress.Loopback);
        var deadline = DateTimeOffset.UtcNow + ReadyTimeout;
        while (DateTimeOffset.UtcNow < deadline && !Gateway.HasExited)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException($"The gateway never answered /health/ready with 200 (exited: {Gateway.HasExited}):\n{Outputs()}");
    }
}
