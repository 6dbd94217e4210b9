using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Strata.Reliability.Tests.Infrastructure;
using Strata.Testing;
using Xunit.Abstractions;

namespace Strata.Reliability.Tests.Fuzz;

/// <summary>
/// Hostile input against the built sample host as a real process (issue #8): a seeded fuzz pass over request lines,
/// headers, framing, bodies and sizes, with slow and unfinished requests held open against Kestrel's limits at the same
/// time. Every answer is below 500; every 4xx the app writes is a ProblemDetails (an empty 4xx only from Kestrel's own
/// rejection of an unparseable request); the process stays up, logs no error, never prints the key, and a normal request
/// works afterwards.
/// </summary>
/// <remarks>
/// <c>STRATA_FUZZ_SEED</c> (default <see cref="DefaultSeed"/>; <c>random</c> for a fresh one, printed) and
/// <c>STRATA_FUZZ_CASES</c> (default <see cref="DefaultCases"/> for role all, a third of it for the api role) rerun or
/// lengthen the pass. Every failure names the seed and the case index; a case depends on nothing else.
/// </remarks>
[Collection(ProcessCollection.Name)]
public sealed class HttpSurfaceFuzzTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 8;
    private const int DefaultCases = 3000;
    private const int Parallelism = 8;
    private const int SlowConnectionsPerKind = 3;
    private const int BodyLimit = 1024 * 1024;      // Api:MaxRequestBodyBytes (default)
    private const int MaxTextLength = 100_000;      // Ai:MaxTextLength (default)

    /// <summary>A plan far above anything the pass sends, so a 429 never hides a code path.</summary>
    private static readonly Dictionary<string, string> FuzzPlan = new()
    {
        ["RateLimiting__Policies__per-key__Tiers__fuzz"] = "10000000",
        ["RateLimiting__Policies__tokens__Tiers__fuzz"] = "1000000000",
    };

    [Fact]
    public async Task Role_all_answers_a_seeded_fuzz_pass_with_no_5xx_only_ProblemDetails_and_stays_up()
    {
        await using var deployment = new SampleDeployment(settings: FuzzPlan);
        var key = await deployment.CreateKeyAsync("fuzz", "analyze,jobs:write,admin", plan: "fuzz");
        var host = await deployment.StartAsync("all");

        await FuzzAsync(host, key, Cases(DefaultCases), "role all", slowConnections: true);
    }

    [Fact]
    public async Task Api_role_on_redis_answers_a_seeded_fuzz_pass_with_no_5xx_only_ProblemDetails_and_stays_up()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var deployment = new SampleDeployment(redis.ConnectionString, FuzzPlan);
        var key = await deployment.CreateKeyAsync("fuzz", "analyze,jobs:write,admin", plan: "fuzz");
        var host = await deployment.StartAsync("api");

        // The slow connections test Kestrel's limits, the same in every role: only the role-all test waits the 30 s for them.
        await FuzzAsync(host, key, Math.Max(1, Cases(DefaultCases) / 3), "role api, redis", slowConnections: false);
    }

    private async Task FuzzAsync(SampleProcess host, string key, int cases, string label, bool slowConnections)
    {
        var seed = Seed();
        var server = host.BaseAddress!;
        var target = new FuzzTarget(key, $"{server.Host}:{server.Port}", BodyLimit, MaxTextLength);
        using var runner = new FuzzRunner(server, target, seed);
        output.WriteLine($"{label}: seed {seed} (STRATA_FUZZ_SEED), {cases} random cases (STRATA_FUZZ_CASES) + the size cases");
        var watch = Stopwatch.StartNew();

        // Slow and unfinished connections, held open while the pass runs: the server must drop them and keep answering.
        var slow = Enum.GetValues<SlowRequests.Kind>()
            .SelectMany(kind => Enumerable.Range(0, slowConnections ? SlowConnectionsPerKind : 0).Select(_ => SlowRequests.RunAsync(server, target, kind)))
            .ToList();

        var generated = Enumerable.Range(0, cases).Select(index => FuzzCases.Create(seed, index, target));
        await runner.RunAsync(FuzzCases.SizeCases(cases, target).Concat(generated), Parallelism);
        var passTime = watch.Elapsed;

        // Responsive while (or just after) the slow connections are held.
        using (var probe = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) })
        using (var live = await probe.GetAsync(new Uri("/health/live", UriKind.Relative)))
        {
            live.StatusCode.Should().Be(HttpStatusCode.OK, "the host answers while slow connections are open");
        }

        var slowResults = await Task.WhenAll(slow);
        foreach (var result in slowResults)
        {
            runner.Count(SlowRequests.Category, $"{result.Kind} {result.Outcome}{(result.Status is { } status ? " " + status.ToString(CultureInfo.InvariantCulture) : "")}");
            if (result.Outcome == RawOutcome.Hung)
            {
                runner.Fail($"[slow] {result.Kind}: the connection was still open after {SlowRequests.GiveUpAfter.TotalSeconds:0} s ({result.BytesSent} bytes sent)");
            }

            if (result.Status is >= 500)
            {
                runner.Fail($"[slow] {result.Kind}: answered {result.Status}");
            }
        }

        var slowText = string.Join("\n", slowResults.GroupBy(r => r.Kind).Select(g =>
            $"  {g.Key}: {string.Join(", ", g.Select(r => $"{r.Outcome}{(r.Status is { } s ? " " + s.ToString(CultureInfo.InvariantCulture) : "")} after {r.Elapsed.TotalSeconds:0.0} s, {r.BytesSent} B sent"))}"));
        output.WriteLine($"{runner}\nslow connections (Kestrel defaults: headers 30 s, body 240 B/s after 5 s):\n{slowText}\n"
                         + $"pass {passTime.TotalSeconds:0.0} s, with the slow connections {watch.Elapsed.TotalSeconds:0.0} s");

        // A normal request still works, end to end.
        using (var client = SampleApi.Client(server, key))
        {
            using var analyze = await client.PostAsJsonAsync(new Uri("/v1/analyze", UriKind.Relative), new { text = SampleApi.Texts[1] });
            analyze.StatusCode.Should().Be(HttpStatusCode.OK, "a valid analysis after the pass works: " + await analyze.Content.ReadAsStringAsync());
            using var submit = await client.PostAsJsonAsync(new Uri("/v1/jobs", UriKind.Relative), new { text = SampleApi.Texts[2] });
            submit.StatusCode.Should().Be(HttpStatusCode.Accepted, "a valid job after the pass is accepted");
        }

        await Task.Delay(500);   // let the console logger flush
        var hostOutput = host.Output.Replace(key, "<key>", StringComparison.Ordinal);
        var because = $"{runner}\n{slowText}\n--- error lines with what follows them ---\n{ErrorContext(hostOutput)}\n--- host output (key redacted) ---\n{Tail(hostOutput)}";
        host.HasExited.Should().BeFalse("the host survives the pass: " + because);
        runner.Failures.Should().BeEmpty(because);
        SoakTests.ErrorLines(host.Output).Should().BeEmpty("the pass provoked no error log line: " + because);
        host.Output.Should().NotContain(key, "the key never reaches the output");
    }

    private static int Seed()
    {
        var text = Environment.GetEnvironmentVariable("STRATA_FUZZ_SEED");
        if (string.Equals(text, "random", StringComparison.OrdinalIgnoreCase))
        {
            return Random.Shared.Next();
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : DefaultSeed;
    }

    private static int Cases(int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable("STRATA_FUZZ_CASES"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var cases) && cases > 0 ? cases : fallback;

    /// <summary>Each <c>fail:</c>/<c>crit:</c> line of the output with the 15 lines after it (the message and stack).</summary>
    private static string ErrorContext(string output)
    {
        var lines = output.Split('\n');
        return string.Join("\n--\n", lines
            .Select((line, index) => (line, index))
            .Where(l => l.line.StartsWith("fail:", StringComparison.Ordinal) || l.line.StartsWith("crit:", StringComparison.Ordinal))
            .Take(5)
            .Select(l => string.Join('\n', lines.Skip(l.index).Take(16))));
    }

    private static string Tail(string text) => text.Length > 20_000 ? "..." + text[^20_000..] : text;
}
