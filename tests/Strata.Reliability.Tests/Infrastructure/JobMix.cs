using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Strata.Reliability.Tests.Infrastructure;

/// <summary>What a <see cref="JobMix"/> run did besides the answers counted in its <see cref="LoadStats"/>.</summary>
public sealed class JobMixResult
{
    private long _resentSubmits;
    private long _processedButUnanswered;

    /// <summary>Job ids answered 202, in order.</summary>
    public ConcurrentQueue<string> Accepted { get; } = new();

    /// <summary>Submissions that got no response from their first node and were answered by another.</summary>
    public long ResentSubmits => Interlocked.Read(ref _resentSubmits);

    /// <summary>
    /// Resent submissions whose job existed before the resend: a node took the request, enqueued the job and never
    /// answered. The Idempotency-Key made the resend return it; without it the client would not know the job
    /// (<see cref="SampleApi.ExistedBefore"/>).
    /// </summary>
    public long ProcessedButUnanswered => Interlocked.Read(ref _processedButUnanswered);

    /// <summary>Each resent submission: its failed attempts, how long before the resend its job was created (negative: after), and the counted ones marked.</summary>
    public ConcurrentQueue<string> ResendDetails { get; } = new();

    public TimeSpan Elapsed { get; set; }

    internal void Resent(NodeAnswer answer)
    {
        Interlocked.Increment(ref _resentSubmits);
        using var body = JsonDocument.Parse(answer.Body);
        if (body.RootElement.GetProperty("createdAt") is not { ValueKind: JsonValueKind.String } created)
        {
            ResendDetails.Enqueue($"[{answer.FailedAttempts}] then node {answer.Node}: no createdAt");
            return;
        }

        var before = answer.LastSentAt - created.GetDateTimeOffset();
        var taken = SampleApi.ExistedBefore(created, answer.LastSentAt);
        if (taken)
        {
            Interlocked.Increment(ref _processedButUnanswered);
        }

        ResendDetails.Enqueue($"[{answer.FailedAttempts}] then node {answer.Node}: created {before.TotalMilliseconds:0.000} ms before the resend{(taken ? " (TAKEN)" : "")}");
    }
}

/// <summary>
/// A closed-loop mix over a <see cref="FailoverClient"/>: each loop in turn submits a job (with an Idempotency-Key of its
/// own), polls the job it last submitted, and runs a sync analysis; loop <c>i</c> prefers node <c>i mod nodes</c>. The
/// loops run until <c>stop</c> is cancelled (a fault scenario decides when it has seen enough), never cancelling a request.
/// </summary>
public static class JobMix
{
    /// <summary>The longest a mix runs when nobody stops it.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(3);

    /// <summary>Runs the mix into <paramref name="result"/>, which the caller can watch while it runs.</summary>
    public static async Task RunAsync(FailoverClient client, LoadStats stats, JobMixResult result, int loops, string run, CancellationToken stop)
    {
        var lastJob = new string?[loops];
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, loops).Select(loop => Task.Run(async () =>
        {
            for (long iteration = 0; !stop.IsCancellationRequested && watch.Elapsed < MaxDuration; iteration++)
            {
                await StepAsync(client, stats, result, lastJob, run, loop, iteration);
            }
        })));
        result.Elapsed = watch.Elapsed;
    }

    /// <summary>Two rounds of the mix on every node, one request at a time, so the load does not start on cold processes.</summary>
    /// <returns>What it did, with the jobs it submitted.</returns>
    public static async Task<JobMixResult> WarmUpAsync(FailoverClient client, LoadStats stats)
    {
        var result = new JobMixResult();
        for (var node = 0; node < client.Nodes; node++)
        {
            var lastJob = new string?[client.Nodes];
            for (var iteration = 0; iteration < 6; iteration++)
            {
                await StepAsync(client, stats, result, lastJob, "warm-up", node, iteration);
            }
        }

        return result;
    }

    private static async Task StepAsync(FailoverClient client, LoadStats stats, JobMixResult result, string?[] lastJob, string run, int loop, long iteration)
    {
        var node = loop % client.Nodes;
        var text = SampleApi.Texts[(loop + iteration) % SampleApi.Texts.Length];
        switch (iteration % 3)
        {
            case 0:
                var submitted = await client.SendAsync(stats, "submit-job", node, HttpMethod.Post, "/v1/jobs", text, idempotencyKey: $"{run}-{loop}-{iteration}");
                if (submitted is { Status: HttpStatusCode.Accepted })
                {
                    var id = SampleApi.JobId(submitted.Body);
                    result.Accepted.Enqueue(id);
                    lastJob[loop] = id;
                    if (submitted.Resent)
                    {
                        result.Resent(submitted);
                    }
                }

                break;
            case 1:
                await client.SendAsync(stats, "poll-job", node, HttpMethod.Get, $"/v1/jobs/{lastJob[loop] ?? "default.unknown"}");
                break;
            default:
                await client.SendAsync(stats, "analyze", node, HttpMethod.Post, "/v1/analyze", text);
                break;
        }
    }
}
