using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Strata.Testing;

namespace Strata.Reliability.Tests.Infrastructure;

/// <summary>One API key made for a fault test: its secret and its id (the rate limiter's partition).</summary>
public sealed record TestKey(string Secret, string Id);

/// <summary>
/// What the Redis fault tests share: a redis-server with an append-only file synced on every write (so a SIGKILL loses
/// no acknowledged write), keys made through the admin API, phased answer counts, and looks into Redis itself.
/// </summary>
public static class FaultKit
{
    /// <summary>The persistence of a production Redis that must lose no accepted job: AOF, fsync on every write.</summary>
    public static readonly string[] PersistentRedis = ["--appendonly", "yes", "--appendfsync", "always"];

    /// <summary>Makes an admin key with the CLI verb (the only way before any key exists).</summary>
    public static async Task<string> CreateAdminKeyAsync(SampleDeployment deployment)
        => await deployment.CreateKeyAsync("admin", "admin");

    /// <summary>Makes a key through <c>POST /admin/keys</c> (much faster than a CLI process per key).</summary>
    public static async Task<TestKey> CreateKeyAsync(Uri node, string adminKey, string name, string scopes, string? plan)
    {
        using var client = SampleApi.Client(node, adminKey);
        using var response = await client.PostAsJsonAsync("/admin/keys", new { name, scopes = scopes.Split(','), plan });
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"POST /admin/keys answered {(int)response.StatusCode}: {body}");
        }

        using var document = JsonDocument.Parse(body);
        return new TestKey(
            document.RootElement.GetProperty("key").GetString()!,
            document.RootElement.GetProperty("record").GetProperty("id").GetString()!);
    }

    /// <summary>The ids of every job Strata.Jobs.Redis holds a status hash for (default prefix <c>strata:jobs:</c>).</summary>
    public static async Task<HashSet<string>> JobIdsInRedisAsync(RedisServer redis)
    {
        await using var connection = await redis.ConnectAsync(o => o.AllowAdmin = true);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var key in server.KeysAsync(pattern: "strata:jobs:*:job:*", pageSize: 1000))
        {
            var name = key.ToString();
            ids.Add(name[(name.LastIndexOf(":job:", StringComparison.Ordinal) + ":job:".Length)..]);
        }

        return ids;
    }

    /// <summary>True when Redis holds rate-limit state of <paramref name="policy"/> for the key id (a decision Redis made).</summary>
    public static async Task<bool> HasRateLimitStateAsync(RedisServer redis, string policy, string keyId)
    {
        await using var connection = await redis.ConnectAsync(o => o.AllowAdmin = true);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        await foreach (var _ in server.KeysAsync(pattern: $"strata:rl:{policy}:*{keyId}*", pageSize: 1000))
        {
            return true;
        }

        return false;
    }

    /// <summary>
    /// Closed-loop load as <see cref="ClosedLoop"/>, but until <paramref name="stop"/> is cancelled rather than for a
    /// fixed time (a request in flight is never cancelled: each loop checks before sending its next one).
    /// </summary>
    public static async Task RunUntilAsync(int loops, CancellationToken stop, Func<int, long, Task> step)
    {
        var tasks = Enumerable.Range(0, loops).Select(loop => Task.Run(async () =>
        {
            for (long iteration = 0; !stop.IsCancellationRequested; iteration++)
            {
                await step(loop, iteration);
            }
        }));
        await Task.WhenAll(tasks);
    }

    /// <summary>Console logger lines at Warning, Error or Critical, grouped by their first line and the line after it (the category).</summary>
    public static string LogSummary(string output)
    {
        var lines = output.Split('\n');
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("warn:", StringComparison.Ordinal) || lines[i].StartsWith("fail:", StringComparison.Ordinal) || lines[i].StartsWith("crit:", StringComparison.Ordinal))
            {
                var message = i + 1 < lines.Length ? lines[i + 1].Trim() : string.Empty;
                var label = $"{lines[i].Trim()} {(message.Length > 140 ? message[..140] : message)}";
                counts[label] = counts.GetValueOrDefault(label) + 1;
            }
        }

        return string.Join('\n', counts.OrderByDescending(c => c.Value).Select(c => $"  {c.Value} x {c.Key}"));
    }
}

/// <summary>
/// Answers counted by phase (before, during, after a fault): the phase is the one current when the request was sent.
/// Also remembers every 503 that came without a <c>Retry-After</c> and every answer the test calls wrong.
/// </summary>
public sealed class PhasedLoad
{
    private readonly string[] _names;
    private readonly LoadStats[] _stats;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<(int Phase, TimeSpan At)> _starts = new();
    private readonly ConcurrentQueue<string> _notes = new();
    private int _phase;

    public PhasedLoad(params string[] phases)
    {
        _names = phases;
        _stats = phases.Select(_ => new LoadStats()).ToArray();
        _starts.Enqueue((0, TimeSpan.Zero));
    }

    public int Phase => Volatile.Read(ref _phase);

    public TimeSpan Elapsed => _clock.Elapsed;

    public LoadStats this[string phase] => _stats[Array.IndexOf(_names, phase)];

    public IEnumerable<LoadStats> All => _stats;

    /// <summary>Starts the next phase named <paramref name="phase"/>.</summary>
    public void Enter(string phase)
    {
        var index = Array.IndexOf(_names, phase);
        Volatile.Write(ref _phase, index);
        _starts.Enqueue((index, _clock.Elapsed));
    }

    /// <summary>Sends one request, counts its answer in the current phase and returns it (null when there was none).</summary>
    public async Task<Answer?> SendAsync(string operation, HttpClient client, HttpMethod method, string path, string? text = null, string? idempotencyKey = null)
    {
        var phase = Phase;
        var stats = _stats[phase];
        try
        {
            using var request = SampleApi.Request(method, path, text, idempotencyKey);

            var sent = _clock.Elapsed;
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            stats.Record(operation, response.StatusCode);
            var retryAfter = response.Headers.RetryAfter?.Delta;
            if (status >= 500)
            {
                stats.Sample($"{_names[phase]} {operation} {status} (Retry-After {retryAfter?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}): {Shorten(body)}");
                if (retryAfter is null)
                {
                    Note($"{_names[phase]} {operation} {status} without Retry-After: {Shorten(body)}");
                }
            }

            return new Answer(phase, status, body, retryAfter, sent, _clock.Elapsed);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            stats.Fail(operation, exception);
            return null;
        }
    }

    public void Note(string text)
    {
        if (_notes.Count < 20)
        {
            _notes.Enqueue(text);
        }
    }

    public IReadOnlyCollection<string> Notes => _notes;

    public long Count(Func<int, bool> status) => _stats.Sum(s => s.Count(status));

    public long Requests => _stats.Sum(s => s.Requests);

    public long TransportFailures => _stats.Sum(s => s.TransportFailures);

    public override string ToString()
    {
        var text = new StringBuilder();
        var starts = _starts.ToArray();
        for (var i = 0; i < _names.Length; i++)
        {
            var start = starts.Where(s => s.Phase == i).Select(s => s.At).DefaultIfEmpty(TimeSpan.MinValue).First();
            text.Append($"[{_names[i]}]{(start == TimeSpan.MinValue ? string.Empty : $" from {start.TotalSeconds:0.0} s")} ").Append(_stats[i]);
        }

        foreach (var note in _notes)
        {
            text.AppendLine($"  note: {note}");
        }

        return text.ToString();
    }

    private static string Shorten(string body) => body.Length > 300 ? body[..300] : body;
}

/// <summary>One answer: the phase its request was sent in, the status, the body, Retry-After, when sent and answered.</summary>
public sealed record Answer(int Phase, int Status, string Body, TimeSpan? RetryAfter, TimeSpan SentAt, TimeSpan AnsweredAt);

/// <summary>
/// Job submissions as a careful client makes them: each with an <c>Idempotency-Key</c> of its own, so one that was
/// refused (503) can be sent again once Redis is back and never makes a second job. The answer to that second send
/// also tells whether the first had been accepted after all (the job it returns is older than the second send).
/// </summary>
public sealed class JobSubmissions
{
    private readonly ConcurrentQueue<string> _accepted = new();
    private readonly ConcurrentQueue<(string Key, string Text, Answer Answer)> _refused = new();

    /// <summary>Ids of the jobs that got a 202.</summary>
    public IReadOnlyCollection<string> Accepted => _accepted;

    /// <summary>Submissions answered with anything but 202 (with their answer).</summary>
    public IEnumerable<Answer> Refused => _refused.Select(r => r.Answer);

    public async Task<Answer?> SubmitAsync(PhasedLoad load, string operation, HttpClient client, string text)
    {
        var key = Guid.NewGuid().ToString("N");
        var answer = await load.SendAsync(operation, client, HttpMethod.Post, "/v1/jobs", text, key);
        if (answer is { Status: 202 })
        {
            _accepted.Enqueue(SampleApi.JobId(answer.Body));
        }
        else if (answer is not null)
        {
            _refused.Enqueue((key, text, answer));
        }

        return answer;
    }

    /// <summary>
    /// Sends every refused submission again with its key (Redis up). Returns the job ids, the first answers of the
    /// submissions that had been accepted after all (their job existed before the second send), and unexpected answers.
    /// </summary>
    public async Task<(List<string> Ids, List<Answer> AcceptedAfterAll, List<string> Unexpected)> ResubmitRefusedAsync(HttpClient client)
    {
        var ids = new List<string>();
        var acceptedAfterAll = new List<Answer>();
        var unexpected = new List<string>();
        foreach (var (key, text, first) in _refused)
        {
            var sent = DateTimeOffset.UtcNow;
            using var request = SampleApi.Request(HttpMethod.Post, "/v1/jobs", text, key);
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                unexpected.Add($"{(int)response.StatusCode}: {body}");
                continue;
            }

            using var document = JsonDocument.Parse(body);
            ids.Add(document.RootElement.GetProperty("id").GetString()!);
            if (document.RootElement.TryGetProperty("createdAt", out var created) && SampleApi.ExistedBefore(created, sent))
            {
                acceptedAfterAll.Add(first);
            }
        }

        return (ids, acceptedAfterAll, unexpected);
    }
}
