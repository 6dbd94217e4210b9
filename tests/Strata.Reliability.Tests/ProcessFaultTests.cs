using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Strata.Reliability.Tests.Infrastructure;
using Strata.Testing;
using Xunit.Abstractions;

namespace Strata.Reliability.Tests;

/// <summary>
/// Process faults under load in the scaled-out shape (api and worker roles on one redis-server and one SQLite file):
/// workers SIGKILLed while they hold jobs (in the analysis, and after the save but before the acknowledgement), an api
/// node and a worker stopped with SIGTERM mid-load. Each asserts what happened, not how fast: every accepted job
/// succeeds, each job has exactly one stored analysis, no 5xx, no answer cut off. The load (<c>STRATA_FAULT_LOOPS</c>
/// loops, 6 by default) runs until the fault's outcome is seen.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class ProcessFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan JobsTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    /// <summary>A plan whose limits the load never reaches, so every 429 would be a wrong answer.</summary>
    private static readonly Dictionary<string, string> Plan = new()
    {
        ["RateLimiting__Policies__per-key__Tiers__faults"] = "10000000",
        ["RateLimiting__Policies__tokens__Tiers__faults"] = "1000000000",
    };

    internal static int Loops => Setting("STRATA_FAULT_LOOPS", 6);

    /// <summary>
    /// Two workers take two jobs each and hold them: one is still in the analysis (the offline model "thinks" for ten
    /// minutes), the other has saved the analysis and pauses before the job completes (<c>Processing:PauseAfterSave</c>,
    /// the sample's fault-injection knob). A third worker joins; under load, both holders are SIGKILLed while the four jobs
    /// read <c>running</c>. The third worker takes the four jobs over once their lease (5 s here) runs out, and runs the
    /// load's jobs. Every job succeeds; the held ones show a redelivery; the two whose analysis was stored before the kill
    /// run a second time and the repository absorbs it (the job's result is the analysis the killed worker stored, and
    /// there is one row per job).
    /// </summary>
    [Fact]
    public async Task Workers_SIGKILLed_holding_jobs_mid_analysis_and_after_the_save_lose_no_job_and_the_duplicate_runs_are_absorbed()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var deployment = new SampleDeployment(redis.ConnectionString, With(Plan, ("Jobs__Redis__LeaseTime", "00:00:05")));
        var key = await deployment.CreateKeyAsync("faults", "analyze,jobs:write", plan: "faults");
        var starting = new[]
        {
            deployment.StartAsync("api"),
            deployment.StartAsync("worker", With(null, ("Jobs__Concurrency", "2"), ("Ai__SimulatedLatency", "00:10:00"))),
            deployment.StartAsync("worker", With(null, ("Jobs__Concurrency", "2"), ("Processing__PauseAfterSave", "00:10:00"))),
        };
        var (api, analyzing, saving) = (await starting[0], await starting[1], await starting[2]);
        using var client = new FailoverClient([api.BaseAddress!], key);
        using var reader = SampleApi.Client(api.BaseAddress!, key);
        var stats = new LoadStats();

        var held = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var submitted = await client.SendAsync(stats, "submit-job", 0, HttpMethod.Post, "/v1/jobs", SampleApi.Texts[i], idempotencyKey: $"held-{i}");
            held.Add(SampleApi.JobId(submitted!.Body));
        }

        await JobReads.WaitUntilAsync(
            async () => (await ReadAllAsync(reader, held)).All(job => job.State == "running") && PausedAfterSave(saving.Output).Count == 2,
            TimeSpan.FromSeconds(90),
            () => "both workers holding two jobs each:\n" + deployment.Outputs());
        var paused = PausedAfterSave(saving.Output);
        var storedBeforeKill = (await SampleDatabaseFile.AnalysesAsync(deployment)).Where(row => row.JobId is not null).ToDictionary(row => row.JobId!, row => row.AnalysisId, StringComparer.Ordinal);
        storedBeforeKill.Should().Equal(paused, "exactly the pausing worker's two jobs are stored before the kill; the analyzing worker's are not");
        paused.Keys.Should().BeSubsetOf(held);

        // The surviving worker joins now (the held jobs stay with their holders), then the load starts.
        var survivor = await deployment.StartAsync("worker");
        var warmUp = await JobMix.WarmUpAsync(client, stats);
        using var stop = new CancellationTokenSource();
        var mix = new JobMixResult();
        var load = JobMix.RunAsync(client, stats, mix, Loops, "kill", stop.Token);
        await UntilAsync(load, () => stats.Requests >= warmUp.Accepted.Count * 3 + (Loops * 3), "the load to get going", deployment);
        var atKill = await ReadAllAsync(reader, held);
        analyzing.Kill();
        saving.Kill();
        await UntilAsync(load, () => Finished(reader, held), "the held jobs to finish on the surviving worker", deployment);
        var acceptedAfter = mix.Accepted.Count + Loops;
        await UntilAsync(load, () => mix.Accepted.Count >= acceptedAfter, "more jobs accepted after the takeover", deployment);
        await stop.CancelAsync();
        await load;

        var all = held.Concat(warmUp.Accepted).Concat(mix.Accepted).ToList();
        var jobs = await JobReads.WaitForFinishedAsync(reader, all, JobsTimeout);
        var analyses = await SampleDatabaseFile.AnalysesAsync(deployment);
        var absorbed = paused.Keys.Count(id => survivor.Output.Contains($"Job {id} already has analysis {paused[id].ToLowerInvariant()}", StringComparison.Ordinal));
        output.WriteLine($"SIGKILL of two workers holding 4 jobs (2 mid-analysis, 2 saved and not acknowledged), {Loops} loops, {mix.Elapsed.TotalSeconds:0.0} s: {stats}"
                         + $"  jobs {jobs.Count} (4 held, {warmUp.Accepted.Count} warm-up, {mix.Accepted.Count} under load), {Describe(jobs)}; redeliveries of the held jobs {string.Join(", ", held.Select(id => jobs[id].Redeliveries))}, "
                         + $"of all jobs {jobs.Values.Sum(job => job.Redeliveries)}; duplicate runs absorbed {absorbed}; analyses stored {analyses.Count} ({analyses.Count(row => row.JobId is not null)} for jobs)");

        var because = deployment.Outputs().Replace(key, "<key>", StringComparison.Ordinal);
        atKill.Should().OnlyContain(job => job.State == "running", "the killed workers held the four jobs at the kill");
        analyzing.HasExited.Should().BeTrue();
        saving.HasExited.Should().BeTrue();
        CheckAnswers(stats, because);
        jobs.Values.Where(job => job.State != "succeeded").Should().BeEmpty("every job succeeds, the held ones on the surviving worker: " + because);
        held.Select(id => jobs[id].Redeliveries).Should().OnlyContain(redeliveries => redeliveries >= 1, "each held job was taken over from a killed worker");
        foreach (var (id, analysisId) in paused)
        {
            jobs[id].AnalysisId.Should().Be(analysisId, $"job {id} ran again and got the analysis the killed worker had stored");
        }

        absorbed.Should().Be(2, "the surviving worker ran both saved jobs again and the repository returned the stored analyses: " + survivor.Output);
        await CheckOneAnalysisPerJobAsync(deployment, analyses, jobs.Keys);

        await StopCleanlyAsync(api, survivor);
    }

    /// <summary>
    /// Two api processes and a worker; the load goes over both nodes through a client that, like a load balancer, sends a
    /// request to the other node when a connection is refused or closed before any response. One api node gets SIGTERM
    /// once it has answered a share of the load: it exits 0 within its shutdown timeout, answers what it had taken, and no
    /// answer is cut off; no 5xx; every 202 job succeeds, and the stored analyses are exactly the accepted jobs.
    /// </summary>
    [Fact]
    public async Task An_api_node_SIGTERMed_under_load_exits_cleanly_cuts_no_answer_off_and_every_accepted_job_succeeds()
    {
        var shutdownTimeout = TimeSpan.FromSeconds(20);
        await using var redis = await RedisServer.StartAsync();
        await using var deployment = new SampleDeployment(redis.ConnectionString, With(Plan, ("Api__ShutdownTimeout", shutdownTimeout.ToString("c", CultureInfo.InvariantCulture))));
        var key = await deployment.CreateKeyAsync("faults", "analyze,jobs:write", plan: "faults");
        var starting = new[] { deployment.StartAsync("worker"), deployment.StartAsync("api"), deployment.StartAsync("api") };
        var (worker, staying, stopping) = (await starting[0], await starting[1], await starting[2]);
        using var client = new FailoverClient([staying.BaseAddress!, stopping.BaseAddress!], key);
        var stats = new LoadStats();
        var warmUp = await JobMix.WarmUpAsync(client, stats);

        using var stop = new CancellationTokenSource();
        var mix = new JobMixResult();
        var load = JobMix.RunAsync(client, stats, mix, Loops, "sigterm-api", stop.Token);
        var warmAnswers = client.Answered(1);
        await UntilAsync(load, () => client.Answered(1) >= warmAnswers + (Loops * 2), "the stopping node to serve its share of the load", deployment);
        var answeredBefore = client.Answered(1);
        var watch = Stopwatch.StartNew();
        stopping.Terminate();
        var exit = await stopping.WaitForExitAsync(shutdownTimeout + TimeSpan.FromSeconds(30));
        var exitedAfter = watch.Elapsed;
        var answeredAfterSigterm = client.Answered(1) - answeredBefore;
        var stayingAtExit = client.Answered(0);
        await UntilAsync(load, () => client.Answered(0) >= stayingAtExit + (Loops * 3), "the other node to carry the load on", deployment);
        await stop.CancelAsync();
        await load;

        using var reader = SampleApi.Client(staying.BaseAddress!, key);
        var all = warmUp.Accepted.Concat(mix.Accepted).ToList();
        var jobs = await JobReads.WaitForFinishedAsync(reader, all, JobsTimeout);
        var analyses = await SampleDatabaseFile.AnalysesAsync(deployment);
        output.WriteLine($"SIGTERM of one of two api nodes, {Loops} loops over both, {mix.Elapsed.TotalSeconds:0.0} s: {stats}"
                         + $"  the stopping node answered {answeredBefore} before SIGTERM and {answeredAfterSigterm} after, exited {exit} after {exitedAfter.TotalSeconds:0.0} s (shutdown timeout {shutdownTimeout.TotalSeconds:0} s); "
                         + $"attempts without a response (sent on to the other node): {Unanswered(client)}; submissions resent {mix.ResentSubmits}, of which taken but unanswered {mix.ProcessedButUnanswered}; "
                         + $"answers cut off {client.CutOff}; jobs accepted {all.Count}, {Describe(jobs)}; analyses stored for jobs {analyses.Count(row => row.JobId is not null)}");

        var because = deployment.Outputs().Replace(key, "<key>", StringComparison.Ordinal);
        exit.Should().Be(0, "SIGTERM is a clean stop: " + stopping.Output);
        client.CutOff.Should().Be(0, "no request the node took is cut off mid-response");
        var resends = string.Join("\n", mix.ResendDetails);
        output.WriteLine("resent submissions:\n" + resends);
        mix.ProcessedButUnanswered.Should().Be(0, "no job was enqueued by a request the stopping node then left unanswered; resends:\n" + resends + "\nstopping node:\n" + stopping.Output.Replace(key, "<key>", StringComparison.Ordinal));
        CheckAnswers(stats, because);
        jobs.Values.Where(job => job.State != "succeeded").Should().BeEmpty("every accepted job succeeds: " + because);
        await CheckOneAnalysisPerJobAsync(deployment, analyses, jobs.Keys);
        ErrorLines(stopping.Output).Should().BeEmpty("the stopping node logged no error: " + ErrorContext(stopping.Output));

        await StopCleanlyAsync(staying, worker);
    }

    /// <summary>
    /// An api and two workers; one worker pauses 3 s after each save (<c>Processing:PauseAfterSave</c>) so it always holds
    /// jobs, and has a 3 s shutdown timeout (a 2.4 s drain). SIGTERM under load once it holds jobs: it drains what finishes
    /// in the window and hands the rest back; the other worker runs those again, the saved ones absorbed by the
    /// repository. Every job succeeds with exactly one stored analysis.
    /// </summary>
    [Fact]
    public async Task A_worker_SIGTERMed_under_load_drains_or_hands_back_its_jobs_and_no_job_is_saved_twice()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var deployment = new SampleDeployment(redis.ConnectionString, Plan);
        var key = await deployment.CreateKeyAsync("faults", "analyze,jobs:write", plan: "faults");
        var starting = new[]
        {
            deployment.StartAsync("api"),
            deployment.StartAsync("worker"),
            deployment.StartAsync("worker", With(null, ("Processing__PauseAfterSave", "00:00:03"), ("Api__ShutdownTimeout", "00:00:03"))),
        };
        var (api, staying, stopping) = (await starting[0], await starting[1], await starting[2]);
        using var client = new FailoverClient([api.BaseAddress!], key);
        var stats = new LoadStats();
        var warmUp = await JobMix.WarmUpAsync(client, stats);

        using var stop = new CancellationTokenSource();
        var mix = new JobMixResult();
        var load = JobMix.RunAsync(client, stats, mix, Loops, "sigterm-worker", stop.Token);
        await UntilAsync(load, () => PausedAfterSave(stopping.Output).Count >= 2 && stats.Requests >= Loops * 3, "the worker to take jobs under load", deployment);
        var linesBefore = Lines(stopping.Output).Count;
        stopping.Terminate();
        var exit = await stopping.WaitForExitAsync(ExitTimeout);
        var acceptedAfter = mix.Accepted.Count + Loops;
        await UntilAsync(load, () => mix.Accepted.Count >= acceptedAfter, "more jobs accepted after the stop", deployment);
        await stop.CancelAsync();
        await load;

        using var reader = SampleApi.Client(api.BaseAddress!, key);
        var all = warmUp.Accepted.Concat(mix.Accepted).ToList();
        var jobs = await JobReads.WaitForFinishedAsync(reader, all, JobsTimeout);
        var analyses = await SampleDatabaseFile.AnalysesAsync(deployment);
        var afterSigterm = Lines(stopping.Output).Skip(linesBefore).ToList();
        var runningAtSigterm = afterSigterm.Select(line => DrainingPattern().Match(line)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
        var handedBack = afterSigterm.Select(line => HandedBackPattern().Match(line)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        var finishedInDrain = afterSigterm.Count(line => line.Contains(" analyzed: analysis ", StringComparison.Ordinal));
        var saved = PausedAfterSave(stopping.Output);
        var savedThenHandedBack = handedBack.Where(saved.ContainsKey).ToList();
        var absorbed = savedThenHandedBack.Count(id => staying.Output.Contains($"Job {id} already has analysis {saved[id].ToLowerInvariant()}", StringComparison.Ordinal));
        output.WriteLine($"SIGTERM of one of two workers, {Loops} loops, {mix.Elapsed.TotalSeconds:0.0} s: {stats}"
                         + $"  the stopping worker held {runningAtSigterm} job(s) at SIGTERM: {finishedInDrain} finished in the drain, {handedBack.Count} handed back ({savedThenHandedBack.Count} of them already saved; duplicate runs absorbed {absorbed}); exited {exit}; "
                         + $"jobs accepted {all.Count}, {Describe(jobs)}, redelivered {jobs.Values.Count(job => job.Redeliveries > 0)}; analyses stored for jobs {analyses.Count(row => row.JobId is not null)}");

        var because = deployment.Outputs().Replace(key, "<key>", StringComparison.Ordinal);
        exit.Should().Be(0, "SIGTERM is a clean stop: " + stopping.Output);
        runningAtSigterm.Should().BeGreaterThan(0, "the worker held jobs when it was told to stop: " + string.Join('\n', afterSigterm));
        (finishedInDrain + handedBack.Count).Should().BeGreaterThan(0, "each held job either finished in the drain or was handed back");
        CheckAnswers(stats, because);
        jobs.Values.Where(job => job.State != "succeeded").Should().BeEmpty("every accepted job succeeds: " + because);
        foreach (var id in savedThenHandedBack)
        {
            jobs[id].AnalysisId.Should().Be(saved[id], $"job {id} was saved before the stop and its second run returned that analysis");
        }

        absorbed.Should().Be(savedThenHandedBack.Count, "the other worker's run of each saved, handed-back job found the stored analysis: " + staying.Output);
        await CheckOneAnalysisPerJobAsync(deployment, analyses, jobs.Keys);
        ErrorLines(stopping.Output).Should().BeEmpty("the stopping worker logged no error: " + ErrorContext(stopping.Output));

        await StopCleanlyAsync(api, staying);
    }

    /// <summary>Waits (up to two minutes) until <paramref name="condition"/> holds while the load runs; fails if the load ends first.</summary>
    internal static Task UntilAsync(Task load, Func<bool> condition, string what, SampleDeployment deployment)
        => UntilAsync(load, () => Task.FromResult(condition()), what, deployment);

    internal static async Task UntilAsync(Task load, Func<Task<bool>> condition, string what, SampleDeployment deployment)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2);
        while (!await condition())
        {
            if (load.IsCompleted || DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited in vain for {what} (load ended: {load.IsCompleted}):\n{deployment.Outputs()}");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<bool> Finished(HttpClient client, IEnumerable<string> ids)
        => (await ReadAllAsync(client, ids)).All(job => job.IsFinished);

    internal static void CheckAnswers(LoadStats stats, string because)
    {
        stats.Requests.Should().BeGreaterThan(Loops * 3, "the loops ran");
        stats.ServerErrors.Should().Be(0, because);
        stats.TransportFailures.Should().Be(0, "every request got an answer (from one node or the other): " + stats + because);
        stats.Count(status => status is not (200 or 202)).Should().Be(0, "every request of the mix is valid and allowed: " + stats + because);
    }

    /// <summary>Exactly one stored analysis per job, none for a job nobody accepted, and a document for every analysis.</summary>
    internal static async Task CheckOneAnalysisPerJobAsync(SampleDeployment deployment, List<(string AnalysisId, string? JobId)> analyses, IEnumerable<string> jobIds)
    {
        var perJob = analyses.Where(row => row.JobId is not null).GroupBy(row => row.JobId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        perJob.Where(job => job.Value != 1).Should().BeEmpty("a job's analysis is stored once, however often the job ran");
        perJob.Keys.Should().BeEquivalentTo(jobIds, "the stored job analyses are exactly the accepted jobs: none lost, none unknown to the client");
        (await SampleDatabaseFile.DocumentCountAsync(deployment)).Should().Be(analyses.Count, "every analysis has its one document; no save was half done");
    }

    private static async Task StopCleanlyAsync(params SampleProcess[] processes)
    {
        foreach (var process in processes)
        {
            process.Terminate();
        }

        foreach (var process in processes)
        {
            (await process.WaitForExitAsync(ExitTimeout)).Should().Be(0, "SIGTERM after the run is a clean stop:\n" + process.Output);
            ErrorLines(process.Output).Should().BeEmpty($"{process.Name} logged no error: " + ErrorContext(process.Output));
        }
    }

    /// <summary>
    /// Console logger lines at Error or Critical, except a readiness check cancelled because its caller went away (the
    /// health check service logs that as an error): a probe that gives up is not a fault of the process under test. The
    /// harness's own readiness wait now gives each probe a minute, so this should not occur; it stays excluded so that a
    /// probe timing out on an overloaded machine cannot fail a fault test.
    /// </summary>
    internal static List<string> ErrorLines(string processOutput)
    {
        var lines = Lines(processOutput);
        return lines
            .Select((line, index) => (line, index))
            .Where(l => l.line.StartsWith("fail:", StringComparison.Ordinal) || l.line.StartsWith("crit:", StringComparison.Ordinal))
            .Where(l => !(l.line.StartsWith("fail: Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService[103]", StringComparison.Ordinal)
                          && l.index + 1 < lines.Count && lines[l.index + 1].Contains("message 'The operation was canceled.'", StringComparison.Ordinal)))
            .Select(l => l.line)
            .ToList();
    }

    /// <summary>Each error line of a process's output with the lines after it (the message and the exception).</summary>
    internal static string ErrorContext(string processOutput)
    {
        var lines = Lines(processOutput);
        return string.Join("\n---\n", lines
            .Select((line, index) => (line, index))
            .Where(l => l.line.StartsWith("fail:", StringComparison.Ordinal) || l.line.StartsWith("crit:", StringComparison.Ordinal))
            .Take(3)
            .Select(l => string.Join('\n', lines.Skip(l.index).Take(12))));
    }

    private static async Task<JobRead[]> ReadAllAsync(HttpClient client, IEnumerable<string> ids)
        => await Task.WhenAll(ids.Select(id => JobReads.ReadAsync(client, id)));

    /// <summary>Job id to analysis id (upper case) of every "saved analysis ...; pausing" line of a worker.</summary>
    internal static Dictionary<string, string> PausedAfterSave(string processOutput) => PausedPattern().Matches(processOutput)
        .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.ToUpperInvariant(), StringComparer.Ordinal);

    internal static List<string> Lines(string processOutput) => [.. processOutput.Split('\n')];

    internal static string Describe(Dictionary<string, JobRead> jobs)
        => string.Join(", ", jobs.Values.GroupBy(job => job.State).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));

    private static string Unanswered(FailoverClient client)
        => client.Unanswered.Count == 0 ? "none" : string.Join(", ", client.Unanswered.Select(u => $"{u.Key} x {u.Value}"));

    internal static Dictionary<string, string> With(IReadOnlyDictionary<string, string>? settings, params (string Name, string Value)[] more)
    {
        var all = new Dictionary<string, string>(settings ?? new Dictionary<string, string>());
        foreach (var (name, value) in more)
        {
            all[name] = value;
        }

        return all;
    }

    private static int Setting(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    [GeneratedRegex(@"Job (\S+) saved analysis ([0-9a-fA-F-]{36}); pausing")]
    private static partial Regex PausedPattern();

    [GeneratedRegex(@"Waiting up to \S+ for (\d+) running job")]
    private static partial Regex DrainingPattern();

    [GeneratedRegex(@"Job (\S+) was interrupted by shutdown and handed back")]
    private static partial Regex HandedBackPattern();
}
