using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Authentication;
using Xunit.Abstractions;

namespace Strata.Reliability.Tests.Gateway;

/// <summary>
/// The sample behind a real reverse proxy (<see cref="GatewayStack"/>: YARP terminating TLS in front of two api nodes that
/// apply <c>X-Forwarded-For</c> from the gateway's address only). Clients at distinct loopback addresses show that the
/// nodes see each client's own address, that a forged <c>X-Forwarded-For</c> is not believed, and what the hop costs.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class GatewayTests(GatewayStackFixture fixture, ITestOutputHelper output) : IClassFixture<GatewayStackFixture>
{
    private static readonly IPAddress Gateway = GatewayStack.ProxyAddress;

    private GatewayStack Stack => fixture.Stack;

    [Fact]
    public async Task The_gateway_speaks_TLS_with_the_certificate_made_at_run_time_and_nothing_else()
    {
        using var trusting = Stack.ClientThroughGateway(IPAddress.Parse("127.0.0.9"));
        using var answer = await trusting.GetAsync(new Uri("/health/ready", UriKind.Relative));
        answer.StatusCode.Should().Be(HttpStatusCode.OK);

        using var systemTrust = new HttpClient { BaseAddress = Stack.Address, Timeout = TimeSpan.FromSeconds(30) };
        var refused = async () => await systemTrust.GetAsync(new Uri("/health/ready", UriKind.Relative));
        (await refused.Should().ThrowAsync<HttpRequestException>("the certificate is self-signed and trusted by no store"))
            .WithInnerException<AuthenticationException>();

        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Stack.Address.Port}"), Timeout = TimeSpan.FromSeconds(30) };
        var unencrypted = async () => await plain.GetAsync(new Uri("/health/ready", UriKind.Relative));
        await unencrypted.Should().ThrowAsync<HttpRequestException>("the gateway closes a plain-HTTP connection on its TLS port and forwards nothing");
    }

    /// <summary>
    /// Client A (127.0.0.2) sends malformed keys through the gateway until both nodes block it (429); client B (127.0.0.3),
    /// behind the same gateway, still gets 401 for its own bad keys and 200 for its valid one, so the two do not share the
    /// guard's limit. A, blocked, forges <c>X-Forwarded-For: 127.0.0.3</c> and is still refused; a client that talks to a
    /// node directly and sends a new forged address with every bad key is blocked after the same number of failures. The
    /// nodes log the block of each client's real address and never of the gateway's.
    /// </summary>
    [Fact]
    public async Task Two_clients_behind_the_gateway_do_not_share_the_brute_force_limit_and_a_forged_X_Forwarded_For_is_not_believed()
    {
        var (a, b, direct) = (IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3"), IPAddress.Parse("127.0.0.4"));
        using var clientA = Stack.ClientThroughGateway(a);
        using var clientB = Stack.ClientThroughGateway(b);
        using var clientDirect = Stack.ClientToNode(direct, node: 0);

        // A: bad keys until two answers in a row are 429 (round-robin: each node has blocked it).
        var answersA = new List<HttpStatusCode>();
        for (var i = 0; i < 4 * GatewayStack.PermitFailures + 4 && !(answersA.Count >= 2 && answersA[^1] == HttpStatusCode.TooManyRequests && answersA[^2] == HttpStatusCode.TooManyRequests); i++)
        {
            answersA.Add(await SendAsync(clientA, BadKey(i)));
        }

        // B: fewer bad keys than a node permits, then its valid key; A's valid key still works too.
        var answersB = new List<HttpStatusCode>();
        for (var i = 0; i < GatewayStack.PermitFailures - 1; i++)
        {
            answersB.Add(await SendAsync(clientB, BadKey(100 + i)));
        }

        var validB = await SendAsync(clientB, Stack.Key);
        var validA = await SendAsync(clientA, Stack.Key);

        // A, blocked, claims to be B.
        var forgedThroughGateway = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++)
        {
            forgedThroughGateway.Add(await SendAsync(clientA, BadKey(200 + i), forwardedFor: b.ToString()));
        }

        // Around the gateway: every bad key claims another address.
        var forgedDirect = new List<HttpStatusCode>();
        for (var i = 0; i < GatewayStack.PermitFailures + 1; i++)
        {
            forgedDirect.Add(await SendAsync(clientDirect, BadKey(300 + i), forwardedFor: $"10.0.{i}.1"));
        }

        // The nodes write their log lines asynchronously: wait for the block of the direct client (its 429 is above),
        // the last one the guard logged, before reading which addresses were blocked.
        var blocked = BlockedAddresses(string.Join('\n', Stack.Nodes.Select(node => node.Output)));
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            while (!blocked.Contains(direct.ToString()) && forgedDirect[^1] == HttpStatusCode.TooManyRequests && !wait.IsCancellationRequested)
            {
                await Task.Delay(50, CancellationToken.None);
                blocked = BlockedAddresses(string.Join('\n', Stack.Nodes.Select(node => node.Output)));
            }
        }

        output.WriteLine($"permit {GatewayStack.PermitFailures} failures per address per node; A through the gateway: {Describe(answersA)}; "
                         + $"B: {Describe(answersB)}, valid key {(int)validB}; A's valid key {(int)validA}; A forging B's address: {Describe(forgedThroughGateway)}; "
                         + $"direct client forging a new address each time: {Describe(forgedDirect)}; addresses the nodes blocked: {string.Join(", ", blocked)}");

        var because = Stack.Outputs();
        answersA.Should().EndWith([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], "A is blocked on both nodes: " + because);
        answersA.Count(status => status == HttpStatusCode.Unauthorized).Should().BeInRange(GatewayStack.PermitFailures, 2 * GatewayStack.PermitFailures, "each node let A fail its permitted number of times, and no more");
        answersB.Should().OnlyContain(status => status == HttpStatusCode.Unauthorized, "B's failures are B's own: A's block is not B's");
        validB.Should().Be(HttpStatusCode.OK);
        validA.Should().Be(HttpStatusCode.OK, "the guard refuses a blocked address only what cannot be a valid key");
        forgedThroughGateway.Should().OnlyContain(status => status == HttpStatusCode.TooManyRequests, "the gateway replaces the client's X-Forwarded-For, so A cannot pass for B");
        forgedDirect.Should().Equal(
            Enumerable.Repeat(HttpStatusCode.Unauthorized, GatewayStack.PermitFailures).Append(HttpStatusCode.TooManyRequests),
            "a node believes X-Forwarded-For only from the gateway's address: the forged addresses all count as the direct client's");
        blocked.Should().Contain([a.ToString(), direct.ToString()]);
        blocked.Should().NotContain([Gateway.ToString(), b.ToString()], "the nodes never saw the gateway's address as the client, and B was never blocked");
        blocked.Should().NotContain(address => address.StartsWith("10.0.", StringComparison.Ordinal), "no forged address was believed");
    }

    /// <summary>
    /// Client C (127.0.0.6) spends its per-address limit through the gateway; client D (127.0.0.7), behind the same
    /// gateway, is still admitted, and C claiming D's address in <c>X-Forwarded-For</c> stays refused. The limit is
    /// shared by both nodes (Redis), so round-robin does not double it.
    /// </summary>
    [Fact]
    public async Task Two_clients_behind_the_gateway_do_not_share_the_per_address_limit()
    {
        var (c, d) = (IPAddress.Parse("127.0.0.6"), IPAddress.Parse("127.0.0.7"));
        using var clientC = Stack.ClientThroughGateway(c);
        using var clientD = Stack.ClientThroughGateway(d);

        var answersC = new List<HttpStatusCode>();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < 2 * GatewayStackFixture.PerAddressLimit && (answersC.Count == 0 || answersC[^1] != HttpStatusCode.TooManyRequests); i++)
        {
            answersC.Add(await SendAsync(clientC, Stack.Key));
        }

        // GCRA gives back one permit every minute / limit: a slow run may see a few more admitted than the burst.
        var refilled = (int)(Stopwatch.GetElapsedTime(started).TotalMinutes * GatewayStackFixture.PerAddressLimit);

        var answerD = await SendAsync(clientD, Stack.Key);
        var forged = await SendAsync(clientC, Stack.Key, forwardedFor: d.ToString());
        output.WriteLine($"per-address limit {GatewayStackFixture.PerAddressLimit} a minute; C: {Describe(answersC)}; D: {(int)answerD}; C claiming D's address: {(int)forged}");

        answersC[^1].Should().Be(HttpStatusCode.TooManyRequests, "C is refused once its limit is spent: " + Stack.Outputs());
        answersC.Count(status => status == HttpStatusCode.OK).Should().BeInRange(
            GatewayStackFixture.PerAddressLimit,
            GatewayStackFixture.PerAddressLimit + refilled,
            "C gets its limit (plus what came back while it sent) across both nodes, not once per node");
        answersC.SkipLast(1).Should().OnlyContain(status => status == HttpStatusCode.OK);
        answerD.Should().Be(HttpStatusCode.OK, "D's address has a count of its own");
        forged.Should().Be(HttpStatusCode.TooManyRequests, "the gateway replaces the client's X-Forwarded-For");
    }

    /// <summary>
    /// The same request (<c>GET /health/live</c>, no key, no store) sent one at a time on a kept-alive connection, directly
    /// to a node over HTTP and through the gateway over TLS, in alternating rounds; p50 and p99 of each are written to the
    /// test output. A figure to read, not to assert: speed targets belong in benchmarks.
    /// </summary>
    [Fact]
    public async Task The_latency_the_proxy_hop_adds_is_measured_and_reported()
    {
        var client = IPAddress.Parse("127.0.0.5");
        using var direct = Stack.ClientToNode(client, node: 0);
        using var proxied = Stack.ClientThroughGateway(client);
        const int Warmup = 200;
        const int Rounds = 10;
        const int PerRound = 200;
        await TimeAsync(direct, Warmup, []);
        await TimeAsync(proxied, Warmup, []);

        var directTimes = new List<double>();
        var proxiedTimes = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            await TimeAsync(direct, PerRound, directTimes);
            await TimeAsync(proxied, PerRound, proxiedTimes);
        }

        var (directP50, directP99) = (Percentile(directTimes, 0.50), Percentile(directTimes, 0.99));
        var (proxiedP50, proxiedP99) = (Percentile(proxiedTimes, 0.50), Percentile(proxiedTimes, 0.99));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"GET /health/live, {directTimes.Count} requests each way, one at a time, kept-alive connections, {Environment.ProcessorCount} cores shared with the gateway and both nodes:\n"
            + $"  direct to a node (HTTP):      p50 {directP50:0.000} ms, p99 {directP99:0.000} ms\n"
            + $"  through the gateway (HTTPS):  p50 {proxiedP50:0.000} ms, p99 {proxiedP99:0.000} ms\n"
            + $"  the hop adds:                 p50 +{proxiedP50 - directP50:0.000} ms (x{proxiedP50 / directP50:0.0}), p99 +{proxiedP99 - directP99:0.000} ms (x{proxiedP99 / directP99:0.0})"));

        directTimes.Should().HaveCount(Rounds * PerRound, "every request was answered 200");
        proxiedTimes.Should().HaveCount(Rounds * PerRound, "every request was answered 200");
    }

    private static string BadKey(int i) => $"sk_sample_guess{i:D4}";

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string key, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/jobs/default.00000000000000000000000000000000");
        request.Headers.Add("X-Api-Key", key);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await client.SendAsync(request);
        var status = response.StatusCode;
        return status == HttpStatusCode.NotFound ? HttpStatusCode.OK : status;   // a valid key reaches the route: no such job
    }

    private static async Task TimeAsync(HttpClient client, int count, List<double> milliseconds)
    {
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
            await response.Content.ReadAsByteArrayAsync();
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                milliseconds.Add(elapsed);
            }
        }
    }

    private static double Percentile(List<double> values, double quantile)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Ceiling(quantile * sorted.Count) - 1];
    }

    private static string Describe(IEnumerable<HttpStatusCode> statuses) => string.Join(" ", statuses.Select(status => (int)status));

    private static List<string> BlockedAddresses(string logs)
        => logs.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("Client ", StringComparison.Ordinal) && line.EndsWith(" blocked after repeated failed API-key attempts.", StringComparison.Ordinal))
            .Select(line => line["Client ".Length..line.IndexOf(' ', "Client ".Length)])
            .Distinct(StringComparer.Ordinal)
            .ToList();
}
