using System.Collections.Concurrent;
using System.Globalization;
using Strata.Reliability.Tests.Infrastructure;
using Strata.Testing;
using Xunit.Abstractions;

namespace Strata.Reliability.Tests;

/// <summary>
/// redis-server killed (SIGKILL) and restarted under load, against the scaled-out sample: <c>--role api</c> and
/// <c>--role worker</c> processes on one redis-server started with an append-only file synced on every write, one
/// SQLite file. A short blip (down about a second) and a longer outage (about ten seconds) with the rate limiter's three
/// failure modes, one per api process.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RedisFaultTests(ITestOutputHelper output)
{
    private const int SmallLimit = 30;
    private const int Loops = 8;

    /// <summary>Jobs accepted before Redis is killed, so a restart that lost data would lose jobs the test knows of.</summary>
    private const int JobsBeforeFault = 20;

    /// <summary>A pause after each job submission, so the worker is not left with thousands of jobs to finish after the load.</summary>
    private static readonly TimeSpan JobThinkTime = TimeSpan.FromMilliseconds(100);

    /// <summary><c>soak</c>: limits the load never reaches (so a 429 is wrong); <c>small</c>: 30 requests a minute.</summary>
    private static readonly Dictionary<string, string> Plans = new()
    {
        ["RateLimiting__Policies__per-key__Tiers__soak"] = "10000000",
        ["RateLimiting__Policies__tokens__Tiers__soak"] = "1000000000",
        ["RateLimiting__Policies__per-key__Tiers__small"] = SmallLimit.ToString(CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Redis_SIGKILLed_and_restarted_within_a_second_under_load_answers_no_500_and_loses_no_accepted_job()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await using var redis = await RedisServer.StartAsync(FaultKit.PersistentRedis);
        await using var deployment = new SampleDeployment(redis.ConnectionString, Plans);
        var admin = await FaultKit.CreateAdminKeyAsync(deployment);
        await deployment.StartAsync("worker");
        var api = await deployment.StartAsync("api");
        var started = watch.Elapsed;
        var load = await FaultKit.CreateKeyAsync(api.BaseAddress!, admin, "load", "analyze,jobs:write", "soak");
        var limited = await FaultKit.CreateKeyAsync(api.BaseAddress!, admin, "limited", "analyze,jobs:write", "small");
        using var client = SampleApi.Client(api.BaseAddress!, load.Secret);
        using var anonymous = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        var phases = new PhasedLoad("before", "blip", "after");
        var readiness = new PhasedLoad("before", "blip", "after");
        var submissions = new JobSubmissions();
        var lastJob = new string?[Loops];
        var faultAt = TimeSpan.FromSeconds(4);
        var downFor = TimeSpan.FromSeconds(1);
        TimeSpan restartedAt = default;
        using var stopLoad = new CancellationTokenSource();

        using var stopProbe = new CancellationTokenSource();
        var probe = Task.Run(async () =>
        {
            while (!stopProbe.IsCancellationRequested)
            {
                await readiness.SendAsync("health-ready", anonymous, HttpMethod.Get, "/health/ready");
                await Task.Delay(100);
            }
        });
        var fault = Task.Run(async () =>
        {
            // Not before some jobs are in Redis (a cold start on a busy machine can take seconds per first request).
            await Task.Delay(faultAt);
            while (submissions.Accepted.Count < JobsBeforeFault && watch.Elapsed < started + TimeSpan.FromMinutes(1))
            {
                await Task.Delay(100);
            }

            faultAt = phases.Elapsed;
            phases.Enter("blip");
            readiness.Enter("blip");
            await redis.KillAsync();
            await Task.Delay(downFor);
            await redis.RestartAsync();
            restartedAt = phases.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(3));
            phases.Enter("after");
            readiness.Enter("after");
            await Task.Delay(TimeSpan.FromSeconds(5));
            await stopLoad.CancelAsync();
        });
        await FaultKit.RunUntilAsync(Loops, stopLoad.Token, async (loop, iteration) =>
        {
            var text = SampleApi.Texts[(loop + iteration) % SampleApi.Texts.Length];
            switch (iteration % 3)
            {
                case 0:
                    await phases.SendAsync("analyze", client, HttpMethod.Post, "/v1/analyze", text);
                    break;
                case 1:
                    if (await submissions.SubmitAsync(phases, "submit-job", client, text) is { Status: 202 } submitted)
                    {
                        lastJob[loop] = SampleApi.JobId(submitted.Body);
                    }

                    await Task.Delay(JobThinkTime);

                    break;
                default:
                    await phases.SendAsync("poll-job", client, HttpMethod.Get, $"/v1/jobs/{lastJob[loop] ?? "default.unknown"}");
                    break;
            }
        });
        await fault;
        await stopProbe.CancelAsync();
        await probe;

        var loaded = watch.Elapsed;
        var (resubmitted, acceptedAfterAll, unexpected) = await submissions.ResubmitRefusedAsync(client);
        var accepted = submissions.Accepted.Concat(resubmitted).ToHashSet(StringComparer.Ordinal);
        var jobs = await SampleApi.WaitForJobsAsync(client, accepted, TimeSpan.FromMinutes(3));
        var finished = watch.Elapsed;
        var inRedis = await FaultKit.JobIdsInRedisAsync(redis);
        var limits = await HammerAsync(api, limited, TimeSpan.FromSeconds(4));
        var limitedInRedis = await FaultKit.HasRateLimitStateAsync(redis, "per-key", limited.Id);

        var report = $"blip: SIGKILL at {faultAt.TotalSeconds:0.0} s, restarted at {restartedAt.TotalSeconds:0.0} s, {Loops} loops, until 8 s after the restart\n{phases}"
                     + $"readiness probe:\n{readiness}"
                     + JobsLine(submissions, resubmitted, acceptedAfterAll, unexpected, accepted, jobs, inRedis)
                     + $"limited key after the blip: {limits.Text}, state in Redis {limitedInRedis}\n"
                     + $"test time: processes ready at {started.TotalSeconds:0} s, load over at {loaded.TotalSeconds:0} s, jobs finished at {finished.TotalSeconds:0} s, end {watch.Elapsed.TotalSeconds:0} s\n"
                     + $"api log (warnings and errors):\n{FaultKit.LogSummary(api.Output)}\nworker log:\n{FaultKit.LogSummary(deployment.Processes[0].Output)}";
        output.WriteLine(report);
        output.WriteLine($"process output: {WriteOutputs(deployment, "blip")}");
        var because = report;

        phases["before"].Count("submit-job", 202).Should().BeGreaterThanOrEqualTo(JobsBeforeFault, "jobs were in Redis when it was killed: " + because);
        phases.Count(status => status == 500).Should().Be(0, because);
        phases.TransportFailures.Should().Be(0, "every request got an answer: " + because);
        phases.Count(status => status is not (200 or 202 or 503)).Should().Be(0, "the mix is valid and the key's plan allows the load: " + because);
        submissions.Refused.Where(a => a.Status != 503 || a.RetryAfter is null).Should().BeEmpty("a refused job is a clear 503 with Retry-After: " + because);
        phases["after"].Count(status => status != 200 && status != 202).Should().Be(0, "after the blip every request succeeds: " + because);
        phases["after"].Requests.Should().BeGreaterThan(0, because);
        unexpected.Should().BeEmpty("a refused job sent again with its Idempotency-Key is accepted once Redis is back: " + because);
        jobs.Values.Where(state => state != "succeeded").Should().BeEmpty("every job that got a 202 succeeds: " + because);
        inRedis.Should().BeEquivalentTo(accepted, "Redis holds exactly the jobs the client knows of: none lost, none it cannot find: " + because);
        limits.Admitted.Should().BeInRange(SmallLimit, limits.Bound, "the per-key limit decides in Redis again after the blip: " + because);
        limitedInRedis.Should().BeTrue("the limited key's state is in Redis: " + because);
    }

    private static string JobsLine(JobSubmissions submissions, List<string> resubmitted, List<Answer> acceptedAfterAll, List<string> unexpected, HashSet<string> accepted, Dictionary<string, string> jobs, HashSet<string> inRedis)
        => $"jobs: 202 {submissions.Accepted.Count}, refused {submissions.Refused.Count()} (sent again with their Idempotency-Key: {resubmitted.Count} accepted, of which {acceptedAfterAll.Count} had been accepted after all"
           + $"{(acceptedAfterAll.Count == 0 ? string.Empty : $" [sent in phase {string.Join(", ", acceptedAfterAll.Select(a => a.Phase))}]")}; unexpected {unexpected.Count}); "
           + $"succeeded {jobs.Values.Count(s => s == "succeeded")} of {accepted.Count}, other {string.Join(", ", jobs.Values.Where(s => s != "succeeded").GroupBy(s => s).Select(g => $"{g.Key} x {g.Count()}"))}; "
           + $"jobs in Redis {inRedis.Count} (unknown to the client: {inRedis.Except(accepted).Count()}, missing: {accepted.Except(inRedis).Count()})\n";

    /// <summary>
    /// Three api processes, one per failure mode of the rate limiter (<c>RateLimiting:Policies:{policy}:FailureMode</c>
    /// for both of the sample's policies), and a worker on one Redis. Under load, Redis is SIGKILLed, stays down about
    /// ten seconds and is restarted on the same port with its data. While it is down each node follows its mode on a key
    /// whose plan allows <see cref="SmallLimit"/> requests a minute: FallbackToLocal admits a local burst then answers
    /// 429, FailOpen admits everything, FailClosed answers 503 with Retry-After; POST /v1/jobs answers 503 with
    /// Retry-After; a valid key never gets 401 (also one first seen during the outage). After the restart every node
    /// decides in Redis again (three nodes together admit no more than one shared limit), and every job that got a 202
    /// succeeds while Redis holds no job that did not.
    /// </summary>
    [Fact]
    public async Task Redis_down_for_ten_seconds_under_load_each_api_node_follows_its_failure_mode_and_every_accepted_job_succeeds()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await using var redis = await RedisServer.StartAsync(FaultKit.PersistentRedis);
        await using var deployment = new SampleDeployment(redis.ConnectionString, Plans);
        var admin = await FaultKit.CreateAdminKeyAsync(deployment);
        await deployment.StartAsync("worker");
        string[] modes = ["FallbackToLocal", "FailOpen", "FailClosed"];
        var nodes = new List<SampleProcess>();
        foreach (var mode in modes)
        {
            nodes.Add(await deployment.StartAsync("api", new Dictionary<string, string>
            {
                ["RateLimiting__Policies__per-key__FailureMode"] = mode,
                ["RateLimiting__Policies__tokens__FailureMode"] = mode,
            }));
        }

        var first = nodes[0].BaseAddress!;
        var jobsKey = await FaultKit.CreateKeyAsync(first, admin, "jobs", "analyze,jobs:write", "soak");
        var limited = new List<TestKey>();
        var fresh = new List<TestKey>();
        var probes = new List<TestKey>();
        for (var i = 0; i < nodes.Count; i++)
        {
            fresh.Add(await FaultKit.CreateKeyAsync(first, admin, $"fresh-{modes[i]}", "analyze", "soak"));
            // A small plan, so its GCRA state outlives the request in Redis (a soak-sized limit's state expires at once).
            probes.Add(await FaultKit.CreateKeyAsync(first, admin, $"probe-{modes[i]}", "analyze,jobs:write", "small"));
        }

        var shared = await FaultKit.CreateKeyAsync(first, admin, "shared", "analyze,jobs:write", "small");
        var started = watch.Elapsed;
        var jobClients = nodes.Select(n => SampleApi.Client(n.BaseAddress!, jobsKey.Secret)).ToList();
        var limitedClients = new List<HttpClient>();
        var phases = new PhasedLoad("before", "outage", "recovery", "after");
        var submissions = new JobSubmissions();
        try
        {
            // Each node has seen the jobs key before the load.
            for (var i = 0; i < nodes.Count; i++)
            {
                (await phases.SendAsync($"warm-up@{modes[i]}", jobClients[i], HttpMethod.Post, "/v1/analyze", SampleApi.Texts[0]))?.Status.Should().Be(200);
            }

            using var stopLoad = new CancellationTokenSource();
            var outageAnswers = new ConcurrentQueue<(int Node, string Operation, Answer Answer)>();
            var freshAnswers = new ConcurrentQueue<(int Node, Answer? Answer)>();

            // Per node: two loops analyzing (the limited key while Redis is down, the jobs key otherwise) and one submitting jobs.
            var loadTask = FaultKit.RunUntilAsync(nodes.Count * 3, stopLoad.Token, async (loop, iteration) =>
            {
                var node = loop % nodes.Count;
                var text = SampleApi.Texts[(loop + iteration) % SampleApi.Texts.Length];
                if (loop / nodes.Count < 2)
                {
                    var down = phases.Phase == 1;
                    var operation = down ? $"analyze-limited@{modes[node]}" : $"analyze@{modes[node]}";
                    var answer = await phases.SendAsync(operation, down ? limitedClients[node] : jobClients[node], HttpMethod.Post, "/v1/analyze", text);
                    if (answer is { Phase: 1 })
                    {
                        outageAnswers.Enqueue((node, "analyze-limited", answer));
                    }
                }
                else
                {
                    var answer = await submissions.SubmitAsync(phases, $"submit-job@{modes[node]}", jobClients[node], text);
                    if (answer is { Status: not 202, Phase: 1 })
                    {
                        outageAnswers.Enqueue((node, "submit-job", answer));
                    }

                    await Task.Delay(JobThinkTime);   // keeps the number of jobs (and the wait for them) moderate
                }
            });

            await Task.Delay(TimeSpan.FromSeconds(4));
            while (submissions.Accepted.Count < JobsBeforeFault && phases.Elapsed < TimeSpan.FromMinutes(1))
            {
                await Task.Delay(100);
            }

            // The keys for the outage, made and seen once by their node (far below the limit) just before it: a key's entry
            // in a node's key cache lasts 30 s, and a lookup past that while Redis is down stalls (see the findings).
            for (var i = 0; i < nodes.Count; i++)
            {
                limited.Add(await FaultKit.CreateKeyAsync(first, admin, $"limited-{modes[i]}", "analyze", "small"));
                limitedClients.Add(SampleApi.Client(nodes[i].BaseAddress!, limited[i].Secret));
                (await phases.SendAsync($"warm-up@{modes[i]}", limitedClients[i], HttpMethod.Post, "/v1/analyze", SampleApi.Texts[0]))?.Status.Should().Be(200);
            }

            var killedAt = phases.Elapsed;
            await redis.KillAsync();
            phases.Enter("outage");   // only requests sent after the kill count as sent while Redis was down

            // Mid-outage: each node gets a key it has never seen (its lookup cannot use Redis, HybridCache's second level).
            await Task.Delay(TimeSpan.FromSeconds(3));
            await Task.WhenAll(nodes.Select(async (node, i) =>
            {
                using var client = SampleApi.Client(node.BaseAddress!, fresh[i].Secret);
                freshAnswers.Enqueue((i, await phases.SendAsync($"fresh-key@{modes[i]}", client, HttpMethod.Post, "/v1/analyze", SampleApi.Texts[1])));
            }));
            var rest = TimeSpan.FromSeconds(10) - (phases.Elapsed - killedAt);
            await Task.Delay(rest > TimeSpan.Zero ? rest : TimeSpan.Zero);
            await redis.RestartAsync();
            phases.Enter("recovery");
            var restartedAt = phases.Elapsed;

            // Recovery: until each node has decided for its probe key in Redis (its state appears there).
            var recoveredAfter = new TimeSpan?[nodes.Count];
            var recoveryDeadline = restartedAt + TimeSpan.FromSeconds(90);
            while (recoveredAfter.Any(r => r is null) && phases.Elapsed < recoveryDeadline)
            {
                for (var i = 0; i < nodes.Count; i++)
                {
                    if (recoveredAfter[i] is not null)
                    {
                        continue;
                    }

                    using var probe = SampleApi.Client(nodes[i].BaseAddress!, probes[i].Secret);
                    await phases.SendAsync($"probe@{modes[i]}", probe, HttpMethod.Get, "/v1/jobs/default.00000000000000000000000000000000");
                    if (await FaultKit.HasRateLimitStateAsync(redis, "per-key", probes[i].Id))
                    {
                        recoveredAfter[i] = phases.Elapsed - restartedAt;
                    }
                }

                await Task.Delay(100);
            }

            phases.Enter("after");
            await Task.Delay(TimeSpan.FromSeconds(4));
            await stopLoad.CancelAsync();
            await loadTask;

            // One shared limit again: three nodes hammer one fresh key together.
            var (sharedStats, sharedAdmitted, sharedBound, sharedSpan) = await HammerSharedAsync(nodes, shared, TimeSpan.FromSeconds(4));
            var loaded = watch.Elapsed;
            var (resubmitted, acceptedAfterAll, unexpected) = await submissions.ResubmitRefusedAsync(jobClients[0]);
            var accepted = submissions.Accepted.Concat(resubmitted).ToHashSet(StringComparer.Ordinal);
            var jobs = await SampleApi.WaitForJobsAsync(jobClients[0], accepted, TimeSpan.FromMinutes(3));
            var finished = watch.Elapsed;
            var inRedis = await FaultKit.JobIdsInRedisAsync(redis);

            var outageSpan = restartedAt - killedAt;
            var localBound = SmallLimit + (long)Math.Floor(outageSpan / (TimeSpan.FromMinutes(1) / SmallLimit)) + 1;
            var report = $"outage: SIGKILL at {killedAt.TotalSeconds:0.0} s, restarted at {restartedAt.TotalSeconds:0.0} s ({outageSpan.TotalSeconds:0.0} s down); "
                         + $"every node deciding in Redis again after {string.Join(", ", recoveredAfter.Select((r, i) => $"{modes[i]} {r?.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) ?? "never"} s"))}\n{phases}"
                         + $"fresh keys during the outage: {string.Join(", ", freshAnswers.OrderBy(f => f.Node).Select(f => $"{modes[f.Node]} {f.Answer?.Status.ToString(CultureInfo.InvariantCulture) ?? "no answer"} in {((f.Answer?.AnsweredAt - f.Answer?.SentAt) ?? TimeSpan.Zero).TotalSeconds:0.00} s"))}\n"
                         + $"local bound while down: {localBound}; shared key after recovery: {sharedSpan.TotalSeconds:0.0} s, admitted {sharedAdmitted} (bound {sharedBound}), {sharedStats}"
                         + JobsLine(submissions, resubmitted, acceptedAfterAll, unexpected, accepted, jobs, inRedis)
                         + $"test time: processes ready and keys made at {started.TotalSeconds:0} s, load and shared hammer over at {loaded.TotalSeconds:0} s, jobs finished at {finished.TotalSeconds:0} s\n"
                         + string.Join('\n', deployment.Processes.Select(p => $"{p.Name} log (warnings and errors):\n{FaultKit.LogSummary(p.Output)}"));
            output.WriteLine(report);
            output.WriteLine($"process output: {WriteOutputs(deployment, "outage")}");
            var because = report;

            phases.Count(status => status == 500).Should().Be(0, because);
            phases.TransportFailures.Should().Be(0, "every request got an answer: " + because);
            phases.Count(status => status == 401).Should().Be(0, "valid keys are never refused because Redis is down: " + because);
            freshAnswers.Should().HaveCount(3).And.OnlyContain(f => f.Answer != null && f.Answer.Status != 401, "a valid key first seen during the outage is looked up in the database: " + because);
            recoveredAfter.Should().OnlyContain(r => r != null, "every node decides in Redis again after the restart: " + because);

            var limitedDown = outageAnswers.Where(a => a.Operation == "analyze-limited").ToList();
            var fallback = limitedDown.Where(a => a.Node == 0).Select(a => a.Answer).ToList();
            fallback.Should().OnlyContain(a => a.Status == 200 || a.Status == 429, "FallbackToLocal decides with a local limit: " + because);
            fallback.Count(a => a.Status == 200).Should().BeInRange(1, (int)localBound, "the local limit admits at most its burst plus what refills while down: " + because);
            fallback.Count(a => a.Status == 429).Should().BeGreaterThan(0, "the load is far above the local limit: " + because);

            var open = limitedDown.Where(a => a.Node == 1).Select(a => a.Answer).ToList();
            open.Should().OnlyContain(a => a.Status == 200, "FailOpen admits every request while the store is down: " + because);
            open.Count.Should().BeGreaterThan((int)localBound, "so it admitted more than the limit allows: " + because);

            var closed = outageAnswers.Where(a => a.Node == 2).Select(a => a.Answer).ToList();
            closed.Should().NotBeEmpty().And.OnlyContain(
                a => a.Status == 503 && a.RetryAfter > TimeSpan.Zero && a.Body.Contains("Rate limiting is unavailable", StringComparison.Ordinal),
                "FailClosed rejects every request with its 503 and Retry-After: " + because);

            var submitsDown = outageAnswers.Where(a => a.Operation == "submit-job").Select(a => a.Answer).ToList();
            submitsDown.Should().NotBeEmpty().And.OnlyContain(a => a.Status == 503 && a.RetryAfter > TimeSpan.Zero, "POST /v1/jobs with Redis down is a clear 503 with Retry-After: " + because);

            phases["after"].Count(status => status is not (200 or 202)).Should().Be(0, "once recovered, every request of the mix succeeds: " + because);
            phases["after"].Requests.Should().BeGreaterThan(0, because);
            sharedAdmitted.Should().BeInRange(SmallLimit, sharedBound, "after the restart the three nodes share one limit in Redis again: " + because);
            sharedStats.Count(status => status is not (200 or 404 or 429)).Should().Be(0, because);

            phases["before"].Count(status => status == 202).Should().BeGreaterThanOrEqualTo(JobsBeforeFault, "jobs were in Redis when it was killed: " + because);
            submissions.Refused.Where(a => a.Status != 503 || a.RetryAfter is null).Should().BeEmpty("a refused job is a clear 503 with Retry-After: " + because);
            unexpected.Should().BeEmpty("a refused job sent again with its Idempotency-Key is accepted once Redis is back: " + because);
            acceptedAfterAll.Where(a => a.Phase == 1).Should().BeEmpty("a job refused while Redis was down was not accepted after all: " + because);
            jobs.Values.Where(state => state != "succeeded").Should().BeEmpty("every job that got a 202 succeeds: " + because);
            inRedis.Should().BeEquivalentTo(accepted, "Redis holds exactly the jobs the client knows of: none lost, none it cannot find: " + because);
            foreach (var process in deployment.Processes)
            {
                foreach (var key in new[] { jobsKey, shared }.Concat(limited).Concat(fresh).Concat(probes))
                {
                    process.Output.Should().NotContain(key.Secret, "keys never reach the log");
                }
            }
        }
        finally
        {
            foreach (var client in jobClients.Concat(limitedClients))
            {
                client.Dispose();
            }
        }
    }

    /// <summary>Three nodes, four loops each, one key, for <paramref name="duration"/>: the admitted count and the bound of one shared GCRA limit.</summary>
    private static async Task<(LoadStats Stats, long Admitted, long Bound, TimeSpan Span)> HammerSharedAsync(List<SampleProcess> nodes, TestKey key, TimeSpan duration)
    {
        var clients = nodes.Select(node => SampleApi.Client(node.BaseAddress!, key.Secret)).ToList();
        var stats = new LoadStats();
        try
        {
            var span = await ClosedLoop.RunAsync(nodes.Count * 4, duration, async (loop, _) =>
                await SampleApi.SendAsync(stats, "poll-unknown", clients[loop % nodes.Count], HttpMethod.Get, "/v1/jobs/default.00000000000000000000000000000000"));
            var bound = SmallLimit + (long)Math.Floor(span / (TimeSpan.FromMinutes(1) / SmallLimit)) + 1;
            return (stats, stats.Count(status => status != 429), bound, span);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>Every process's output in a file under the temp folder (too long for the test output); returns its path.</summary>
    private static string WriteOutputs(SampleDeployment deployment, string label)
    {
        var path = Path.Combine(Path.GetTempPath(), "strata-reliability", $"redis-faults-{label}-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}.log");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(deployment.Outputs(), "sk_sample_[0-9A-Za-z]{49}", "<key>"));
        return path;
    }

    private static async Task<(long Admitted, long Bound, string Text)> HammerAsync(SampleProcess node, TestKey key, TimeSpan duration)
    {
        var (stats, admitted, bound, span) = await HammerSharedAsync([node], key, duration);
        return (admitted, bound, $"{span.TotalSeconds:0.0} s: admitted {admitted} (bound {bound}), {stats}");
    }
}
