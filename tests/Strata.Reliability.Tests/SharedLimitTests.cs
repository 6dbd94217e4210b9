using System.Net;
using Strata.Reliability.Tests.Infrastructure;
using Strata.Testing;
using Xunit.Abstractions;

namespace Strata.Reliability.Tests;

/// <summary>
/// Several nodes, one limit: three <c>--role api</c> processes (and one worker) share one redis-server and one SQLite
/// file; one key whose plan allows <see cref="Limit"/> requests a minute is hammered through all three at once.
/// </summary>
/// <remarks>
/// The sample's per-key policy is GCRA (Strata.RateLimiting: <c>limit</c> per minute, spaced evenly, a burst of up to
/// <c>limit</c>), decided in Redis on the server's clock. From a fresh key, the most any number of nodes may admit in a
/// span of T seconds is the burst plus one permit per emission interval (60 s / limit) elapsed:
/// <c>limit + floor(T / interval)</c>, plus one for a permit falling due at the span's edge. T is measured by the test
/// from the first request sent to the last answer received, so it covers every decision.
/// </remarks>
[Collection(ProcessCollection.Name)]
public sealed class SharedLimitTests(ITestOutputHelper output)
{
    private const int Limit = 30;
    private const int LoopsPerNode = 4;
    private static readonly TimeSpan HammerFor = TimeSpan.FromSeconds(8);

    private static readonly Dictionary<string, string> SmallPlan = new()
    {
        ["RateLimiting__Policies__per-key__Tiers__small"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Three_api_processes_on_one_redis_together_never_admit_more_than_the_keys_limit()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var deployment = new SampleDeployment(redis.ConnectionString, SmallPlan);
        var key = await deployment.CreateKeyAsync("shared", "analyze,jobs:write", plan: "small");
        var warmUpKey = await deployment.CreateKeyAsync("warm-up", "analyze,jobs:write");
        await deployment.StartAsync("worker");
        var nodes = new List<SampleProcess>();
        for (var i = 0; i < 3; i++)
        {
            nodes.Add(await deployment.StartAsync("api"));
        }

        var (stats, admitted, bound) = await HammerThreeAsync(nodes, key, warmUpKey, "3 api nodes on one redis");

        var because = stats + "\n" + deployment.Outputs().Replace(key, "<key>", StringComparison.Ordinal);
        stats.ServerErrors.Should().Be(0, because);
        stats.TransportFailures.Should().Be(0, because);
        stats.Count(status => status is not (200 or 404 or 429)).Should().Be(0, "the mix is valid analyses and polls of an unknown job: " + because);
        admitted.Should().BeGreaterThanOrEqualTo(Limit, "a fresh key has its whole burst: " + because);
        admitted.Should().BeLessThanOrEqualTo(bound, "the three nodes share one GCRA state in Redis: " + because);
        stats.Count(status => status == 429).Should().BeGreaterThan(0, "the load is far above the limit: " + because);
        foreach (var node in deployment.Processes)
        {
            SoakTests.ErrorLines(node.Output).Should().BeEmpty($"{node.Name} logged no error");
            node.Output.Should().NotContain(key).And.NotContain(warmUpKey);
        }
    }

    /// <summary>
    /// The control, so the bound above is known to catch a limit that is not shared: three <c>--role all</c> processes
    /// keep their counts in memory, so each admits the key's whole burst and together they exceed the bound.
    /// </summary>
    [Fact]
    public async Task Three_processes_with_local_limits_admit_more_than_the_shared_bound()
    {
        await using var deployment = new SampleDeployment(settings: SmallPlan);
        var key = await deployment.CreateKeyAsync("local", "analyze,jobs:write", plan: "small");
        var warmUpKey = await deployment.CreateKeyAsync("warm-up", "analyze,jobs:write");
        var nodes = new List<SampleProcess>();
        for (var i = 0; i < 3; i++)
        {
            nodes.Add(await deployment.StartAsync("all"));
        }

        var (stats, admitted, bound) = await HammerThreeAsync(nodes, key, warmUpKey, "3 role-all nodes, local limits (control)");

        var because = stats + "\n" + deployment.Outputs().Replace(key, "<key>", StringComparison.Ordinal);
        stats.ServerErrors.Should().Be(0, because);
        stats.TransportFailures.Should().Be(0, because);
        admitted.Should().BeGreaterThan(bound, "three separate in-memory limits admit a burst each: " + because);
    }

    private async Task<(LoadStats Stats, long Admitted, long Bound)> HammerThreeAsync(List<SampleProcess> nodes, string key, string warmUpKey, string label)
    {
        // Warm every node up (JIT, connections, the key cache) with another key, so the hammer is not one cold request per loop.
        await HammerAsync(nodes, warmUpKey, TimeSpan.FromSeconds(3));
        var (stats, perNode, elapsed) = await HammerAsync(nodes, key, HammerFor);

        var interval = TimeSpan.FromMinutes(1) / Limit;
        var bound = Limit + (long)Math.Floor(elapsed / interval) + 1;
        var admitted = stats.Count(status => status != 429);
        output.WriteLine($"{label}, {LoopsPerNode} loops each, limit {Limit}/min (interval {interval.TotalSeconds:0.#} s), {elapsed.TotalSeconds:0.0} s: "
                         + $"admitted {admitted} (bound {bound}; by node {string.Join(", ", perNode)}), rejected {stats.Count(status => status == 429)}\n{stats}");
        return (stats, admitted, bound);
    }

    /// <summary>Hammers every node with <see cref="LoopsPerNode"/> loops: analyses and polls of an unknown job, all counted.</summary>
    private static async Task<(LoadStats Stats, long[] AdmittedByNode, TimeSpan Elapsed)> HammerAsync(List<SampleProcess> nodes, string key, TimeSpan duration)
    {
        var clients = nodes.Select(node => SampleApi.Client(node.BaseAddress!, key)).ToList();
        var stats = new LoadStats();
        var admitted = new long[nodes.Count];
        try
        {
            var elapsed = await ClosedLoop.RunAsync(nodes.Count * LoopsPerNode, duration, async (loop, iteration) =>
            {
                var node = loop % nodes.Count;
                var answer = iteration % 3 == 2
                    ? await SampleApi.SendAsync(stats, "analyze", clients[node], HttpMethod.Post, "/v1/analyze", SampleApi.Texts[loop % SampleApi.Texts.Length])
                    : await SampleApi.SendAsync(stats, "poll-unknown", clients[node], HttpMethod.Get, "/v1/jobs/default.00000000000000000000000000000000");
                if (answer is { } a && a.Status != HttpStatusCode.TooManyRequests)
                {
                    Interlocked.Increment(ref admitted[node]);
                }
            });
            return (stats, admitted, elapsed);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
