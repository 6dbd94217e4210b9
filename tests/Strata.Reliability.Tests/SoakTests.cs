using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Strata.Reliability.Tests.Infrastructure;
using Strata.Testing;
using Xunit.Abstractions;

namespace Strata.Reliability.Tests;

/// <summary>
/// A bounded soak: closed-loop load against the built sample host (a mix of sync analyses, job submissions, job polls
/// and readiness checks) for <c>STRATA_SOAK_SECONDS</c> (60 by default) with <c>STRATA_SOAK_LOOPS</c> concurrent loops
/// (12 by default). Asserts answers, not speed: no 5xx, no request without an answer, every accepted job finished,
/// resident memory steady, a clean SIGTERM.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    /// <summary>A plan whose limits the load never reaches, so every 429 would be a wrong answer.</summary>
    private static readonly Dictionary<string, string> SoakPlan = new()
    {
        ["RateLimiting__Policies__per-key__Tiers__soak"] = "10000000",
        ["RateLimiting__Policies__tokens__Tiers__soak"] = "1000000000",
    };

    private static TimeSpan Duration => TimeSpan.FromSeconds(Setting("STRATA_SOAK_SECONDS", 60));

    private static int Loops => Setting("STRATA_SOAK_LOOPS", 12);

    [Fact]
    public async Task Role_all_under_closed_loop_load_answers_no_5xx_finishes_every_accepted_job_and_keeps_memory_steady()
    {
        await using var deployment = new SampleDeployment(settings: SoakPlan);
        var key = await deployment.CreateKeyAsync("soak", "analyze,jobs:write", plan: "soak");
        var host = await deployment.StartAsync("all");

        var result = await SoakAsync(host, key, Duration);

        output.WriteLine($"role all, {Loops} loops, {Duration.TotalSeconds:0} s: {result}");
        Check(result, deployment, key);

        host.Terminate();
        (await host.WaitForExitAsync(TimeSpan.FromSeconds(60))).Should().Be(0, "SIGTERM after the soak is a clean stop:\n" + host.Output);
        ErrorLines(host.Output).Should().BeEmpty("the host logged no error during the soak");
        host.Output.Should().NotContain(key, "keys never reach the log");
    }

    /// <summary>
    /// The scaled-out shape under the same mix: <c>--role api</c> and <c>--role worker</c> on one redis-server and one
    /// SQLite file. 30 s by default to keep the project's CI time near three minutes; <c>STRATA_SOAK_SECONDS</c> sets both.
    /// Two workers run the jobs; one is killed with SIGKILL at half-time, holding jobs: they are redelivered to the
    /// other once their lease (30 s) runs out, and every accepted job still succeeds.
    /// </summary>
    [Fact]
    public async Task Api_and_workers_on_redis_under_load_with_a_worker_SIGKILLed_answer_no_5xx_and_finish_every_accepted_job()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var deployment = new SampleDeployment(redis.ConnectionString, SoakPlan);
        var key = await deployment.CreateKeyAsync("soak", "analyze,jobs:write", plan: "soak");
        var worker = await deployment.StartAsync("worker");
        var doomed = await deployment.StartAsync("worker");
        var api = await deployment.StartAsync("api");
        var duration = TimeSpan.FromSeconds(Setting("STRATA_SOAK_SECONDS", 30));
        var workerRssBefore = worker.ResidentBytes();

        var result = await SoakAsync(api, key, duration, atHalfTime: doomed.Kill);

        doomed.HasExited.Should().BeTrue("the second worker was killed at half-time");
        var lines = doomed.Output.Split('\n');
        var finishedByDoomed = lines.Count(line => line.Contains(" analyzed: analysis ", StringComparison.Ordinal));

        // The model's line comes when a job the worker took has been analyzed: proof that it was taking jobs when it was
        // killed, whether or not a result was stored before the kill (on a loaded machine the SQLite write can lag).
        var takenByDoomed = lines.Count(line => line.Contains("Analyzed a document of", StringComparison.Ordinal));
        output.WriteLine($"roles api + 2 workers on redis (one SIGKILLed at half-time after analyzing {takenByDoomed} and finishing {finishedByDoomed} jobs), {Loops} loops, {duration.TotalSeconds:0} s: {result}; "
                         + $"surviving worker RSS {workerRssBefore / (1024 * 1024)} -> {worker.ResidentBytes() / (1024 * 1024)} MiB");
        takenByDoomed.Should().BeGreaterThan(0, "the killed worker was taking jobs under load: " + doomed.Output);
        Check(result, deployment, key);

        api.Terminate();
        worker.Terminate();
        (await api.WaitForExitAsync(TimeSpan.FromSeconds(60))).Should().Be(0, "SIGTERM after the soak is a clean stop:\n" + api.Output);
        (await worker.WaitForExitAsync(TimeSpan.FromSeconds(60))).Should().Be(0, "SIGTERM after the soak is a clean stop:\n" + worker.Output);
        foreach (var process in new[] { api, worker })
        {
            ErrorLines(process.Output).Should().BeEmpty($"{process.Name} logged no error during the soak");
            process.Output.Should().NotContain(key, "keys never reach the log");
        }
    }

    private async Task<SoakResult> SoakAsync(SampleProcess host, string key, TimeSpan duration, Action? atHalfTime = null)
    {
        using var client = SampleApi.Client(host.BaseAddress!, key);
        var stats = new LoadStats();
        var accepted = new ConcurrentQueue<string>();
        var lastJob = new string?[Loops];

        using var stopSampling = new CancellationTokenSource();
        var sampling = ClosedLoop.SampleAsync(host.ResidentBytes, TimeSpan.FromSeconds(1), stopSampling.Token);
        var halfTime = atHalfTime is null ? Task.CompletedTask : Task.Delay(duration / 2).ContinueWith(_ => atHalfTime(), TaskScheduler.Default);
        var elapsed = await ClosedLoop.RunAsync(Loops, duration, async (loop, iteration) =>
        {
            var text = SampleApi.Texts[(loop + iteration) % SampleApi.Texts.Length];
            switch (iteration % 4)
            {
                case 0:
                    await SampleApi.SendAsync(stats, "analyze", client, HttpMethod.Post, "/v1/analyze", text);
                    break;
                case 1:
                    if (await SampleApi.SendAsync(stats, "submit-job", client, HttpMethod.Post, "/v1/jobs", text) is { Status: HttpStatusCode.Accepted } submitted)
                    {
                        var id = SampleApi.JobId(submitted.Body);
                        accepted.Enqueue(id);
                        lastJob[loop] = id;
                    }

                    break;
                case 2:
                    await SampleApi.SendAsync(stats, "poll-job", client, HttpMethod.Get, $"/v1/jobs/{lastJob[loop] ?? "default.unknown"}");
                    break;
                default:
                    await SampleApi.SendAsync(stats, "health-ready", client, HttpMethod.Get, "/health/ready");
                    break;
            }
        });
        await halfTime;
        await stopSampling.CancelAsync();
        var memory = await sampling;

        var attempts = new Dictionary<string, int>(StringComparer.Ordinal);
        var jobs = await SampleApi.WaitForJobsAsync(client, accepted, TimeSpan.FromMinutes(2), attempts);
        return new SoakResult(stats, elapsed, accepted.Count, jobs, memory, duration) { Redelivered = attempts.Values.Count(attempt => attempt > 1) };
    }

    private static void Check(SoakResult result, SampleDeployment deployment, string key)
    {
        var because = result + "\n" + deployment.Outputs().Replace(key, "<key>", StringComparison.Ordinal);
        result.Stats.Requests.Should().BeGreaterThan(Loops * 4, "the loops ran");
        result.Stats.ServerErrors.Should().Be(0, because);
        result.Stats.TransportFailures.Should().Be(0, "every request got an answer: " + because);
        result.Stats.Count(status => status == 429).Should().Be(0, "the key's plan allows far more than this load: " + because);
        result.Stats.Count(status => status is not (200 or 202)).Should().Be(0, "every request of the mix is valid: " + because);
        result.Accepted.Should().BeGreaterThan(0, because);
        result.Jobs.Values.Where(state => state != "succeeded").Should().BeEmpty("every accepted job succeeded: " + because);
        result.RssAfterWarmup.Should().BeGreaterThan(0);
        result.RssEnd.Should().BeLessThanOrEqualTo(
            result.RssAfterWarmup + Math.Max(result.RssAfterWarmup / 2, 128L * 1024 * 1024),
            "resident memory at the end stays within a generous bound of memory after warm-up: " + because);
    }

    /// <summary>Console logger lines at Error or Critical (<c>fail:</c>, <c>crit:</c>).</summary>
    internal static List<string> ErrorLines(string output) => output
        .Split('\n')
        .Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
        .ToList();

    private static int Setting(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    private sealed record SoakResult(
        LoadStats Stats,
        TimeSpan Elapsed,
        int Accepted,
        Dictionary<string, string> Jobs,
        List<(TimeSpan At, long Value)> Memory,
        TimeSpan Duration)
    {
        /// <summary>Jobs that finished on a later attempt than the first (redelivered after a worker died, or retried).</summary>
        public int Redelivered { get; init; }

        /// <summary>The highest RSS between the end of warm-up (the first fifth of the run) and half-time.</summary>
        public long RssAfterWarmup => Memory.Where(s => s.At >= Duration / 5 && s.At <= Duration / 2).Select(s => s.Value).DefaultIfEmpty(0).Max();

        /// <summary>The highest RSS in the second half of the run.</summary>
        public long RssEnd => Memory.Where(s => s.At > Duration / 2).Select(s => s.Value).DefaultIfEmpty(0).Max();

        public override string ToString()
            => $"{Stats}  elapsed {Elapsed.TotalSeconds:0.0} s, {Stats.Requests / Elapsed.TotalSeconds:0} req/s; jobs accepted {Accepted}, succeeded {Jobs.Values.Count(s => s == "succeeded")} ({Redelivered} on a later attempt), "
               + $"other {string.Join(", ", Jobs.Values.Where(s => s != "succeeded").GroupBy(s => s).Select(g => $"{g.Key} x {g.Count()}"))}; "
               + $"RSS first {Mb(Memory[0].Value)}, after warm-up {Mb(RssAfterWarmup)}, end (max of second half) {Mb(RssEnd)}, last {Mb(Memory[^1].Value)}";

        private static string Mb(long bytes) => $"{bytes / (1024.0 * 1024):0} MiB";
    }
}
