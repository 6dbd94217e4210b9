using System.Net;
using System.Text.Json;

namespace Strata.Reliability.Tests.Infrastructure;

/// <summary>A job's status as <c>GET /v1/jobs/{id}</c> shows it.</summary>
/// <param name="State">queued, running, succeeded, ...</param>
/// <param name="Attempt">The attempt running or last run.</param>
/// <param name="Redeliveries">Takeovers from a worker that vanished (crash, SIGKILL).</param>
/// <param name="AnalysisId">The result's analysis id (upper case), once succeeded.</param>
public sealed record JobRead(string State, int Attempt, int Redeliveries, string? AnalysisId)
{
    public bool IsFinished => State is "succeeded" or "failed" or "dead" or "cancelled";
}

/// <summary>Reads job statuses through the sample's API.</summary>
public static class JobReads
{
    public static async Task<JobRead> ReadAsync(HttpClient client, string id)
    {
        using var response = await client.GetAsync(new Uri($"/v1/jobs/{id}", UriKind.Relative));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return new JobRead($"HTTP {(int)response.StatusCode}", 0, 0, null);
        }

        using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = status.RootElement;
        var analysisId = root.GetProperty("result") is { ValueKind: JsonValueKind.Object } result
            ? result.GetProperty("analysisId").GetString()!.ToUpperInvariant()
            : null;
        return new JobRead(root.GetProperty("state").GetString()!, root.GetProperty("attempt").GetInt32(), root.GetProperty("redeliveries").GetInt32(), analysisId);
    }

    /// <summary>Polls every job until it is finished or the timeout passes; returns the last read of each.</summary>
    public static async Task<Dictionary<string, JobRead>> WaitForFinishedAsync(HttpClient client, IEnumerable<string> ids, TimeSpan timeout)
    {
        var reads = ids.Distinct(StringComparer.Ordinal).ToDictionary(id => id, _ => new JobRead("unknown", 0, 0, null), StringComparer.Ordinal);
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var pending = reads.Where(r => !r.Value.IsFinished).Select(r => r.Key).ToList();
            if (pending.Count == 0 || DateTimeOffset.UtcNow > deadline)
            {
                return reads;
            }

            foreach (var id in pending)
            {
                reads[id] = await ReadAsync(client, id);
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; throws with <paramref name="what"/> when it never does.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {timeout} in vain for: {what()}");
            }

            await Task.Delay(200);
        }
    }
}
