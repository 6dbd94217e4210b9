using System.Diagnostics;
using System.Globalization;
using System.Net;
using Strata.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Strata.Reliability.Tests.Gateway;

/// <summary>An api node stopped behind the gateway, on a <see cref="GatewayStack"/> of its own (the stop ends it).</summary>
[Collection(ProcessCollection.Name)]
public sealed class GatewayFailoverTests(ITestOutputHelper output)
{
    private const int Loops = 4;
    private const int AnswersPerPhase = 80;

    /// <summary>
    /// Four client loops at two addresses send analyses (POSTs) through the gateway without pause. Once the load runs,
    /// one node gets SIGTERM: it drains (<c>Api:DrainDelay</c>: ready check 503, every response closing its connection,
    /// so the gateway holds no idle connection the node could close under a request), finishes what it took and exits 0;
    /// the gateway sends the requests that node refuses to the other one, and the load goes on until the remaining node
    /// has carried a share of it alone. Every request is answered 200: none is lost, cut off or answered 502. (Without
    /// the drain about one run in six lost a request that way: YARP's "response ended prematurely", answered 502.)
    /// </summary>
    [Fact]
    public async Task An_api_node_SIGTERMed_behind_the_gateway_costs_no_answer()
    {
        var shutdownTimeout = TimeSpan.FromSeconds(20);
        await using var stack = await GatewayStack.StartAsync(new Dictionary<string, string>
        {
            ["Api__ShutdownTimeout"] = shutdownTimeout.ToString("c", CultureInfo.InvariantCulture),
        });
        var stopping = stack.Nodes[1];
        var clients = new[] { IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3") }.Select(stack.ClientThroughGateway).ToList();
        var stats = new LoadStats();
        using var stop = new CancellationTokenSource();
        var load = Task.WhenAll(Enumerable.Range(0, Loops).Select(loop => LoopAsync(stack, clients[loop % clients.Count], loop, stats, stop.Token)));

        await ProcessFaultTests.UntilAsync(load, () => stats.Requests >= AnswersPerPhase, "the load to get going", stack.Deployment);
        var beforeSigterm = stats.Requests;
        var watch = Stopwatch.StartNew();
        stopping.Terminate();
        var exit = await stopping.WaitForExitAsync(shutdownTimeout + TimeSpan.FromSeconds(30));
        var exitedAfter = watch.Elapsed;
        var drainedBeforeExit = stats.Requests - beforeSigterm;
        var atExit = stats.Requests;
        await ProcessFaultTests.UntilAsync(load, () => stats.Requests >= atExit + AnswersPerPhase, "the other node to carry the load on alone", stack.Deployment);
        await stop.CancelAsync();
        await load;
        foreach (var client in clients)
        {
            client.Dispose();
        }

        var retried = stack.Gateway.Output.Split('\n').Count(line => line.Contains("refused the connection; sending the request to", StringComparison.Ordinal));
        output.WriteLine($"SIGTERM of one of two api nodes behind the gateway, {Loops} loops of POST /v1/analyze: {stats}"
                         + $"  requests before SIGTERM {beforeSigterm}, until the node exited {atExit - beforeSigterm} (exit code {exit} after {exitedAfter.TotalSeconds:0.0} s), after {stats.Requests - atExit}; "
                         + $"requests the gateway sent on to the other node after a refused connection: {retried}");

        var because = stack.Outputs();
        exit.Should().Be(0, "SIGTERM is a clean stop: " + stopping.Output);
        stopping.Output.Should().Contain("Stopping: draining for 00:00:06", "the node drained before Kestrel stopped");
        exitedAfter.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(6), "the node kept serving through its drain");
        drainedBeforeExit.Should().BeGreaterThan(0, "the load went on while the node drained");
        stats.TransportFailures.Should().Be(0, "every request got an answer: " + because);
        stats.Count(status => status != 200).Should().Be(0, "every request was answered 200, none with the gateway's 502: " + stats + because);
        stats.Requests.Should().BeGreaterThanOrEqualTo(2 * AnswersPerPhase);
    }

    private static async Task LoopAsync(GatewayStack stack, HttpClient client, int loop, LoadStats stats, CancellationToken stop)
    {
        for (var i = loop; !stop.IsCancellationRequested; i += Loops)
        {
            try
            {
                using var request = stack.Analyze(text: i);
                using var response = await client.SendAsync(request, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                stats.Record("analyze", response.StatusCode);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    stats.Sample($"analyze {(int)response.StatusCode}: {body}");
                }
            }
            catch (HttpRequestException exception)
            {
                stats.Fail("analyze", exception);
            }
        }
    }
}
