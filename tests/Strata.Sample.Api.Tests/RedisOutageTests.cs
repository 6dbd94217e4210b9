using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Strata.Sample.Api.Tests.Infrastructure;
using Strata.Testing;
using Xunit.Abstractions;

namespace Strata.Sample.Api.Tests;

/// <summary>
/// The api role with its Redis killed: readiness and the job endpoints answer 503 with Retry-After (ProblemDetails,
/// never a 500), and the host serves jobs again once Redis is back, without a restart. The host's Redis client waits
/// 30 s for a command here, so answers within <see cref="Limit"/> can only come from the known outage.
/// </summary>
public sealed class RedisOutageTests(ITestOutputHelper output)
{
    private const int Rounds = 200;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task With_redis_killed_the_api_answers_ready_and_jobs_with_503_then_accepts_jobs_when_it_returns()
    {
        await using var redis = await RedisServer.StartAsync(["--appendonly", "yes", "--appendfsync", "always"]);
        var directory = Path.Combine(Path.GetTempPath(), "strata-sample-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var port = CommandLineTests.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__Database"] = $"Data Source={Path.Combine(directory, "sample.db")}",
            ["ConnectionStrings__Redis"] = $"{redis.Endpoint},abortConnect=false,asyncTimeout=30000,syncTimeout=30000",
        };

        string key;
        await using (var keys = HostProcess.Start(environment, "keys", "create", "--name", "outage", "--scopes", "jobs:write", "--plan", "pro"))
        {
            (await keys.WaitForExitAsync(StartTimeout)).Should().Be(0, keys.Output);
            key = Regex.Match(keys.Output, @"sk_sample_[0-9A-Za-z]{49}").Value;
        }

        await using var api = HostProcess.Start(environment, "--role", "api");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(100) };
        await WaitUntilReadyAsync(client, api);
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        using var queued = await client.PostTextAsync("/v1/jobs", "Queued before Redis went away.");
        queued.StatusCode.Should().Be(HttpStatusCode.Accepted, api.Output);
        var jobUrl = queued.Headers.Location!.ToString();

        await redis.KillAsync();
        var ready = new List<double>();
        var submit = new List<double>();
        var poll = new List<double>();
        var cancel = new List<double>();
        using (var limit = new CancellationTokenSource(Limit))
        {
            for (var i = 0; i < Rounds; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var notReady = await client.GetAsync("/health/ready", limit.Token);
                ready.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                notReady.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
                (await notReady.Content.ReadAsStringAsync()).Should().Contain("\"redis\":\"Unhealthy\"");

                await ExpectUnavailableAsync(submit, () => client.PostAsJsonAsync("/v1/jobs", new { text = "Submitted while Redis is away." }, limit.Token));
                await ExpectUnavailableAsync(poll, () => client.GetAsync(jobUrl, limit.Token));
                await ExpectUnavailableAsync(cancel, () => client.DeleteAsync(jobUrl, limit.Token));
            }
        }

        Report("GET /health/ready", ready);
        Report("POST /v1/jobs", submit);
        Report("GET /v1/jobs/{id}", poll);
        Report("DELETE /v1/jobs/{id}", cancel);

        await redis.RestartAsync();
        await WaitUntilReadyAsync(client, api);
        using var accepted = await client.PostTextAsync("/v1/jobs", "Submitted once Redis is back.");
        accepted.StatusCode.Should().Be(HttpStatusCode.Accepted, api.Output);
        using var status = await client.GetAsync(jobUrl);
        status.StatusCode.Should().Be(HttpStatusCode.OK, "the job queued before the outage is still there");
        api.Output.Should().NotContain("An unhandled exception has occurred", "an outage is a 503 of the endpoints, not an exception");
    }

    private static async Task ExpectUnavailableAsync(List<double> times, Func<Task<HttpResponseMessage>> send)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await send();
        times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, body);
        response.Headers.RetryAfter.Should().NotBeNull();
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var problem = JsonDocument.Parse(body);
        problem.RootElement.GetProperty("title").GetString().Should().NotBeNullOrEmpty();
    }

    private static async Task WaitUntilReadyAsync(HttpClient client, HostProcess host)
    {
        using var limit = new CancellationTokenSource(StartTimeout);
        while (!host.HasExited)
        {
            try
            {
                using var response = await client.GetAsync("/health/ready", limit.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, limit.Token);
        }

        Assert.Fail($"{client.BaseAddress} exited before it was ready. Output:\n{host.Output}");
    }

    private void Report(string name, List<double> times)
    {
        var sorted = times.Order().ToList();
        double At(double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
        output.WriteLine($"{name}: n={sorted.Count} p50={At(0.50):0.0} ms p99={At(0.99):0.0} ms max={sorted[^1]:0.0} ms");
    }
}
