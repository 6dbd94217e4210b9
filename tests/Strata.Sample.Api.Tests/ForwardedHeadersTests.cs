using System.Net;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

/// <summary>
/// <c>Api:ForwardedHeaders</c>: off by default, so <c>X-Forwarded-For</c> changes nothing, even from loopback (the
/// framework's own defaults would trust loopback); with a known proxy listed, the address it forwards is the client's.
/// The brute-force guard (two failures permitted here) shows which address the host saw. The host and its client are on
/// 127.0.0.1; the gateway tests in Strata.Reliability.Tests run the real proxy in front of real processes.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const int PermitFailures = 2;

    [Fact]
    public async Task Without_known_proxies_X_Forwarded_For_is_ignored_even_from_loopback()
    {
        await using var factory = new ForwardedFactory();
        using var client = factory.CreateClient();

        var statuses = await SendBadKeysAsync(client, PermitFailures + 1, i => $"10.1.{i}.1");

        statuses.Should().Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests],
            "every forged address counts as the connection's own");
        factory.Logs.All.Should().Contain("Client 127.0.0.1 blocked").And.NotContain("Client 10.1.");
    }

    [Fact]
    public async Task With_the_client_listed_as_a_known_proxy_the_forwarded_address_is_the_client()
    {
        await using var factory = new ForwardedFactory(("Api:ForwardedHeaders:KnownProxies:0", "127.0.0.1"));
        using var client = factory.CreateClient();

        var distinct = await SendBadKeysAsync(client, PermitFailures + 1, i => $"10.2.{i}.1");
        var same = await SendBadKeysAsync(client, PermitFailures + 1, _ => "10.3.0.1");

        distinct.Should().OnlyContain(status => status == HttpStatusCode.Unauthorized, "each forwarded address failed once");
        same.Should().Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests]);
        factory.Logs.All.Should().Contain("Client 10.3.0.1 blocked").And.NotContain("Client 127.0.0.1 blocked");
    }

    [Fact]
    public async Task A_known_network_in_CIDR_notation_is_a_proxy_too()
    {
        await using var factory = new ForwardedFactory(("Api:ForwardedHeaders:KnownNetworks:0", "127.0.0.0/8"));
        using var client = factory.CreateClient();

        var same = await SendBadKeysAsync(client, PermitFailures + 1, _ => "10.4.0.1");

        same.Should().Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests]);
        factory.Logs.All.Should().Contain("Client 10.4.0.1 blocked");
    }

    [Fact]
    public async Task A_malformed_proxy_or_network_stops_the_host_on_start_naming_the_setting()
    {
        await using var factory = new ForwardedFactory(("Api:ForwardedHeaders:KnownProxies:0", "gateway.local"), ("Api:ForwardedHeaders:KnownNetworks:0", "10.0.0.0/99"));

        var start = () => factory.CreateClient();

        start.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>()
            .WithMessage("*Api:ForwardedHeaders:KnownProxies:0 'gateway.local' is not an IP address*")
            .WithMessage("*Api:ForwardedHeaders:KnownNetworks:0 '10.0.0.0/99' is not a network in CIDR notation*");
    }

    private static async Task<List<HttpStatusCode>> SendBadKeysAsync(HttpClient client, int count, Func<int, string> forwardedFor)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/jobs/default.00000000000000000000000000000000");
            request.Headers.Add("X-Api-Key", $"sk_sample_guess{i}");
            request.Headers.Add("X-Forwarded-For", forwardedFor(i));
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    private sealed class ForwardedFactory(params (string Key, string Value)[] settings) : SampleApiFactory
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings
            => settings.Select(s => KeyValuePair.Create(s.Key, s.Value))
                .Append(KeyValuePair.Create("ApiKeys:BruteForce:PermitFailures", PermitFailures.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
