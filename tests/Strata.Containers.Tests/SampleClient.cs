using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Strata.Containers.Tests;

/// <summary>The sample's HTTP API as a client walks it: analyze, submit a job, read it until a state is reached.</summary>
internal sealed class SampleClient(Uri baseAddress, string key) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);
    private readonly HttpClient _http = new() { BaseAddress = baseAddress, DefaultRequestHeaders = { { "X-Api-Key", key } } };

    public async Task<JsonElement> AnalyzeAsync(string text)
    {
        using var response = await _http.PostAsJsonAsync("/v1/analyze", new { text });
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<string> SubmitJobAsync(string text)
    {
        using var response = await _http.PostAsJsonAsync("/v1/jobs", new { text });
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public async Task<JsonElement> JobAsync(string id)
    {
        using var response = await _http.GetAsync(new Uri($"/v1/jobs/{id}", UriKind.Relative));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Reads the job until its state is <paramref name="state"/>; fails on another final state or at the deadline.</summary>
    public async Task<JsonElement> WaitForJobAsync(string id, string state)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var job = await JobAsync(id);
            var current = job.GetProperty("state").GetString();
            if (current == state)
            {
                return job;
            }

            current.Should().BeOneOf(["queued", "running"], $"job {id} should reach '{state}': {job}");
            clock.Elapsed.Should().BeLessThan(Deadline, $"job {id} should reach '{state}' within {Deadline}: {job}");
            await Task.Delay(200);
        }
    }

    /// <summary>Asks GET /health/ready until it answers 200 (a process or container that starts).</summary>
    public static async Task WaitReadyAsync(Uri baseAddress, Func<bool> stillRunning)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            stillRunning().Should().BeTrue($"{baseAddress} should stay up until ready");
            clock.Elapsed.Should().BeLessThan(Deadline, $"{baseAddress} should be ready within {Deadline}");
            await Task.Delay(100);
        }
    }

    public void Dispose() => _http.Dispose();
}
