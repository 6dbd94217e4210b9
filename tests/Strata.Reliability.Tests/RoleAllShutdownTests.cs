using System.Net;
using System.Text.RegularExpressions;
using Strata.Reliability.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Strata.Reliability.Tests;

/// <summary>
/// Role <c>all</c> keeps its job queue in memory (at-most-once: Strata.Jobs documents that a crash loses the jobs
/// waiting in it). A SIGTERM is not a crash: the jobs accepted with a 202 and still queued must not vanish silently.
/// The workers run them within the drain window before the process exits, and when the window is too short, the host
/// logs the count it leaves behind as an error.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class RoleAllShutdownTests(ITestOutputHelper output)
{
    private const int BacklogTarget = 120;

    /// <summary>Two worker slots and a 50 ms model: the loops submit jobs faster than they run, so a backlog builds up.</summary>
    private static readonly Dictionary<string, string> SlowWorkers = ProcessFaultTests.With(
        null,
        ("RateLimiting__Policies__per-key__Tiers__faults", "10000000"),
        ("Ai__SimulatedLatency", "00:00:00.050"),
        ("Jobs__Concurrency", "2"));

    [Fact]
    public async Task Role_all_SIGTERMed_under_load_runs_every_accepted_job_still_queued_before_it_exits()
    {
        var run = await SubmitThenStopAsync(ProcessFaultTests.With(SlowWorkers, ("Api__ShutdownTimeout", "00:01:00")));
        output.WriteLine($"role all, SIGTERM with a backlog (60 s shutdown timeout): {run}");

        run.Exit.Should().Be(0, "SIGTERM is a clean stop: " + run.Output);
        run.QueuedAtStop.Should().BeGreaterThan(0, "jobs were still queued when the stop began: " + run.Output);
        run.Stored.Should().BeEquivalentTo(run.Accepted, "every job accepted with a 202 ran before the process exited, once");
        run.Lost.Should().BeNull("nothing was left behind");
        ProcessFaultTests.ErrorLines(run.Output).Should().BeEmpty(ProcessFaultTests.ErrorContext(run.Output));
    }

    [Fact]
    public async Task Role_all_SIGTERMed_with_no_drain_window_logs_the_count_of_accepted_jobs_it_loses_as_an_error()
    {
        var run = await SubmitThenStopAsync(ProcessFaultTests.With(SlowWorkers, ("Jobs__ShutdownDrainTimeout", "00:00:00.001")));
        output.WriteLine($"role all, SIGTERM with a backlog and a 1 ms drain window: {run}");

        run.Exit.Should().Be(0, "SIGTERM is a clean stop: " + run.Output);
        run.Stored.Should().BeSubsetOf(run.Accepted);
        var lost = run.Accepted.Count - run.Stored.Count;
        lost.Should().BeGreaterThan(0, "with no time to drain, queued jobs are left behind");
        run.Lost.Should().Be(lost, "the error names exactly the accepted jobs that never ran: " + run.Output);
    }

    private static async Task<Run> SubmitThenStopAsync(Dictionary<string, string> settings)
    {
        await using var deployment = new SampleDeployment(settings: settings);
        var key = await deployment.CreateKeyAsync("faults", "analyze,jobs:write", plan: "faults");
        var host = await deployment.StartAsync("all");
        using var client = new FailoverClient([host.BaseAddress!], key);
        var stats = new LoadStats();
        var accepted = new List<string>();
        var terminated = 0;
        var failuresBeforeStop = 0L;

        var loops = Enumerable.Range(0, ProcessFaultTests.Loops).Select(loop => Task.Run(async () =>
        {
            for (var iteration = 0; ; iteration++)
            {
                var answer = await client.SendAsync(stats, "submit-job", 0, HttpMethod.Post, "/v1/jobs", SampleApi.Texts[iteration % SampleApi.Texts.Length], idempotencyKey: $"{loop}-{iteration}");
                if (answer is { Status: HttpStatusCode.Accepted })
                {
                    lock (accepted)
                    {
                        accepted.Add(SampleApi.JobId(answer.Body));
                    }
                }
                else if (answer is null && Volatile.Read(ref terminated) == 1)
                {
                    return;     // The node is gone (refused or closed before a response): nothing more to send.
                }
            }
        }));
        var load = Task.WhenAll(loops);
        await ProcessFaultTests.UntilAsync(load, () => { lock (accepted) { return accepted.Count >= BacklogTarget; } }, "a backlog of accepted jobs", deployment);
        failuresBeforeStop = stats.TransportFailures;
        Volatile.Write(ref terminated, 1);
        host.Terminate();
        var exit = await host.WaitForExitAsync(TimeSpan.FromSeconds(120));
        await load;

        var stored = (await SampleDatabaseFile.AnalysesAsync(deployment)).Where(row => row.JobId is not null).Select(row => row.JobId!).ToList();
        var text = host.Output.Replace(key, "<key>", StringComparison.Ordinal);
        failuresBeforeStop.Should().Be(0, "every request before the stop got an answer: " + stats);
        client.CutOff.Should().Be(0, "no request the node took is cut off mid-response");
        stats.ServerErrors.Should().Be(0, stats.ToString());
        stats.Count(status => status != 202).Should().Be(0, "every answer was a 202 (after the stop, requests get no answer at all): " + stats);
        return new Run(stats, accepted, stored, exit, Match(QueuedPattern(), text), Match(LostPattern(), text), text);
    }

    private static int? Match(Regex pattern, string text) => pattern.Match(text) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"Stopping: running the (\d+) job\(s\) queued")]
    private static partial Regex QueuedPattern();

    [GeneratedRegex(@"Stopped with (\d+) accepted job\(s\) still waiting")]
    private static partial Regex LostPattern();

    private sealed record Run(LoadStats Stats, List<string> Accepted, List<string> Stored, int Exit, int? QueuedAtStop, int? Lost, string Output)
    {
        public override string ToString()
            => $"{Stats}  jobs accepted {Accepted.Count}, queued when the stop began {QueuedAtStop?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none logged"}, "
               + $"ran (analysis stored) {Stored.Count}, lost {Accepted.Count - Stored.Count} (logged as lost: {Lost?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}); exit {Exit}";
    }
}
