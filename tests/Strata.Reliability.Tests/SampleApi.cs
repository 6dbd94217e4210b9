using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Strata.Reliability.Tests.Infrastructure;

namespace Strata.Reliability.Tests;

/// <summary>The sample's HTTP surface as the load tests call it, every answer counted in a <see cref="LoadStats"/>.</summary>
internal static class SampleApi
{
    public static readonly string[] Texts =
    [
        "The release was late and the bugs were painful. Nobody was happy with the outcome.",
        "The new queue is fast and reliable. Workers never lose a job, and retries are calm.",
        "Rate limits keep a shared service fair. Every key gets its share, and bursts are absorbed.",
        "A quiet night on call: no pages, green dashboards, and a good book.",
    ];

    public static HttpClient Client(Uri baseAddress, string key)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    /// <summary>A request to the sample: a JSON body <c>{"text": ...}</c> when <paramref name="text"/> is given, and an <c>Idempotency-Key</c> header when a key is.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, string? text = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (text is not null)
        {
            request.Content = JsonContent.Create(new { text });
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    /// <summary>Sends one request and records its status (or its failure); returns the response, or null without one.</summary>
    public static async Task<(HttpStatusCode Status, string Body)?> SendAsync(LoadStats stats, string operation, HttpClient client, HttpMethod method, string path, string? text = null)
    {
        try
        {
            using var request = Request(method, path, text);
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            stats.Record(operation, response.StatusCode);
            if ((int)response.StatusCode >= 500)
            {
                stats.Sample($"{operation} {(int)response.StatusCode}: {body}");
            }

            return (response.StatusCode, body);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            stats.Fail(operation, exception);
            return null;
        }
    }

    /// <summary>
    /// Whether a job returned for a resent submission already existed when the resend was sent, i.e. an earlier send
    /// had been accepted. A job's <c>createdAt</c> is stored in whole milliseconds (rounded down), so a job the resend
    /// itself created within the same millisecond can read as older than the resend; only a job created at least a
    /// millisecond before it counts.
    /// </summary>
    public static bool ExistedBefore(JsonElement createdAt, DateTimeOffset resentAt)
        => createdAt.ValueKind == JsonValueKind.String && resentAt - createdAt.GetDateTimeOffset() >= TimeSpan.FromMilliseconds(1);

    public static string JobId(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>
    /// Polls every job until it is finished (or the deadline passes) and returns the final state of each; the load is over,
    /// so nothing competes with the workers.
    /// </summary>
    public static async Task<Dictionary<string, string>> WaitForJobsAsync(HttpClient client, IEnumerable<string> ids, TimeSpan timeout, Dictionary<string, int>? attempts = null)
    {
        var states = ids.Distinct(StringComparer.Ordinal).ToDictionary(id => id, _ => "unknown", StringComparer.Ordinal);
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var pending = states.Where(s => s.Value is not ("succeeded" or "failed" or "dead" or "cancelled")).Select(s => s.Key).ToList();
            if (pending.Count == 0 || DateTimeOffset.UtcNow > deadline)
            {
                return states;
            }

            foreach (var id in pending)
            {
                using var response = await client.GetAsync(new Uri($"/v1/jobs/{id}", UriKind.Relative));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    states[id] = $"HTTP {(int)response.StatusCode}";
                    continue;
                }

                using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                states[id] = status.RootElement.GetProperty("state").GetString()!;
                if (attempts is not null)
                {
                    attempts[id] = status.RootElement.GetProperty("attempt").GetInt32();
                }
            }

            await Task.Delay(250);
        }
    }
}
