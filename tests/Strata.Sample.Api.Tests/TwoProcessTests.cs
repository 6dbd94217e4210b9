using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Strata.Sample.Api.Endpoints;
using Strata.Sample.Api.Tests.Infrastructure;
using Strata.Testing;

namespace Strata.Sample.Api.Tests;

/// <summary>
/// The scaled-out shape: <c>--role api</c> and <c>--role worker</c> as two real processes sharing a real redis-server
/// (queue, rate limits, cache) and one SQLite file, with a key made by the <c>keys create</c> verb.
/// </summary>
public sealed class TwoProcessTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_job_submitted_to_the_api_process_is_run_by_the_worker_process_in_the_same_trace()
    {
        await using var redis = await RedisServer.StartAsync();
        var directory = Path.Combine(Path.GetTempPath(), "strata-sample-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var apiPort = CommandLineTests.FreePort();
        var workerPort = CommandLineTests.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Database"] = $"Data Source={Path.Combine(directory, "sample.db")}",
            ["ConnectionStrings__Redis"] = redis.ConnectionString,
            ["Ai__SimulatedLatency"] = "00:00:00.050",
        };

        await using var collector = await OtlpReceiver.StartAsync(CommandLineTests.FreePort());
        HostProcess? api = null;
        HostProcess? worker = null;
        try
        {
            // The CLI verb: creates the key in the shared database, prints it once, exits 0.
            string key;
            await using (var keys = HostProcess.Start(environment, "keys", "create", "--name", "two-process", "--scopes", "jobs:write", "--plan", "demo"))
            {
                (await keys.WaitForExitAsync(StartTimeout)).Should().Be(0, keys.Output);
                key = Regex.Match(keys.Output, @"sk_sample_[0-9A-Za-z]{49}").Value;
                key.Should().NotBeEmpty(keys.Output);
            }

            worker = HostProcess.Start(With(environment, "ASPNETCORE_URLS", $"http://127.0.0.1:{workerPort}"), "--role", "worker");
            // The api process exports over OTLP (the variable is set); the worker does not.
            var apiEnvironment = With(With(environment, "ASPNETCORE_URLS", $"http://127.0.0.1:{apiPort}"), "OTEL_EXPORTER_OTLP_ENDPOINT", collector.Endpoint);
            api = HostProcess.Start(With(apiEnvironment, "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"), "--role", "api");
            using var apiClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}") };
            using var workerClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{workerPort}") };
            await WaitUntilReadyAsync(apiClient, api);
            await WaitUntilReadyAsync(workerClient, worker);

            // The api role enqueues (it runs no workers); the worker role runs the job.
            apiClient.DefaultRequestHeaders.Add("X-Api-Key", key);
            HttpResponseMessage accepted;
            ActivityTraceId traceId;
            using (var caller = TestTrace.Start())
            {
                traceId = caller.TraceId;
                accepted = await apiClient.PostTextAsync("/v1/jobs", "Two processes share one queue. It works well.");
            }

            using var _ = accepted;
            RateLimitHeader.Quota(accepted, "per-key").Should().Be(100, "the key's plan is demo");
            accepted.StatusCode.Should().Be(HttpStatusCode.Accepted, api.Output);

            var done = await PollAsync(apiClient, accepted.Headers.Location!.ToString());
            done.State.Should().Be("succeeded", $"api:\n{api.Output}\nworker:\n{worker.Output}");
            done.Result!.TokenCount.Should().BeGreaterThan(0);

            // The trace of POST /v1/jobs continues in the worker process: its handler logs the job's trace id.
            await worker.WaitForOutputAsync($"Job {done.Id} analyzed", TimeSpan.FromSeconds(10));
            worker.Output.Should().Contain($"trace {traceId}");
            api.Output.Should().NotContain($"Job {done.Id} analyzed", "the api role runs no workers");
            worker.Output.Should().NotContain(key);
            api.Output.Should().NotContain(key);

            // Ready checks Redis in both roles; the rate limits and HybridCache's distributed layer live in the shared Redis.
            (await workerClient.GetStringAsync("/health/ready")).Should().Contain("\"redis\":\"Healthy\"");
            for (var i = 0; i < 20; i++)
            {
                using var poll = await apiClient.GetAsync(accepted.Headers.Location);
                poll.StatusCode.Should().Be(HttpStatusCode.OK);
            }

            await using (var connection = await redis.ConnectAsync())
            {
                var server = connection.GetServer(redis.Endpoint);
                server.Keys(pattern: "strata:rl:*").Should().NotBeEmpty("the per-key limit is counted in Redis (GCRA: the key lives until the limit is full again, 21 x 0.6 s here)");
                server.Keys(pattern: "strata-sample:*").Should().NotBeEmpty("validated key lookups are cached in Redis (HybridCache L2)");
                server.Keys(pattern: "strata:jobs:*").Should().NotBeEmpty("the queue is in Redis");
            }

            // The worker serves only /health/*; the healthcheck verb reads it.
            using var notServed = await workerClient.GetAsync("/v1/jobs/x");
            notServed.StatusCode.Should().Be(HttpStatusCode.NotFound);
            await using (var check = HostProcess.Start(environment, "healthcheck", "--url", $"http://127.0.0.1:{workerPort}/health/ready"))
            {
                (await check.WaitForExitAsync(StartTimeout)).Should().Be(0, check.Output);
            }

            // Redis down: a clear 503 for a new job and for ready, never a 500; back when Redis is.
            await redis.KillAsync();
            using (var down = await apiClient.PostTextAsync("/v1/jobs", "Redis is down for a moment."))
            {
                await AnalyzeEndpointTests.ShouldBeProblemAsync(down, HttpStatusCode.ServiceUnavailable);
            }

            using (var notReady = await apiClient.GetAsync("/health/ready"))
            {
                notReady.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            }

            await redis.RestartAsync();
            await WaitUntilReadyAsync(apiClient, api);

            // SIGTERM: both stop cleanly.
            api.Terminate();
            worker.Terminate();
            (await api.WaitForExitAsync(TimeSpan.FromSeconds(45))).Should().Be(0, api.Output);
            (await worker.WaitForExitAsync(TimeSpan.FromSeconds(45))).Should().Be(0, worker.Output);

            // OTLP export is on when OTEL_EXPORTER_OTLP_ENDPOINT is set: the api flushed its traces and metrics on stop.
            collector.Signals.Should().Contain(["traces", "metrics"]);
        }
        finally
        {
            if (api is not null)
            {
                await api.DisposeAsync();
            }

            if (worker is not null)
            {
                await worker.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left to the OS's temp cleanup.
            }
        }
    }

    [Fact]
    public async Task With_the_queue_in_the_database_a_job_submitted_to_the_api_process_runs_on_the_worker_process_without_Redis()
    {
        await using var postgres = await PostgresCluster.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("sample");
        var apiPort = CommandLineTests.FreePort();
        var workerPort = CommandLineTests.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Database"] = connectionString,
            ["Jobs__Backend"] = "database",
            ["Jobs__Database__PollInterval"] = "00:00:00.200",   // the worker is another process: it finds the job by polling
            ["Ai__SimulatedLatency"] = "00:00:00.050",
        };

        var hosts = new List<HostProcess>();
        try
        {
            string key;
            await using (var keys = HostProcess.Start(environment, "keys", "create", "--name", "database-queue", "--scopes", "jobs:write"))
            {
                (await keys.WaitForExitAsync(StartTimeout)).Should().Be(0, keys.Output);
                key = Regex.Match(keys.Output, @"sk_sample_[0-9A-Za-z]{49}").Value;
                key.Should().NotBeEmpty(keys.Output);
            }

            var worker = Track(hosts, HostProcess.Start(With(environment, "ASPNETCORE_URLS", $"http://127.0.0.1:{workerPort}"), "--role", "worker"));
            var api = Track(hosts, HostProcess.Start(With(environment, "ASPNETCORE_URLS", $"http://127.0.0.1:{apiPort}"), "--role", "api"));
            using var apiClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}") };
            using var workerClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{workerPort}") };
            await WaitUntilReadyAsync(apiClient, api);
            await WaitUntilReadyAsync(workerClient, worker);
            (await workerClient.GetStringAsync("/health/ready")).Should().NotContain("redis", "no Redis is configured");

            apiClient.DefaultRequestHeaders.Add("X-Api-Key", key);
            using var accepted = await apiClient.PostTextAsync("/v1/jobs", "One database holds the data and the queue. It works well.");
            accepted.StatusCode.Should().Be(HttpStatusCode.Accepted, api.Output);

            var done = await PollAsync(apiClient, accepted.Headers.Location!.ToString());
            done.State.Should().Be("succeeded", $"api:\n{api.Output}\nworker:\n{worker.Output}");
            done.Result!.TokenCount.Should().BeGreaterThan(0);
            await worker.WaitForOutputAsync($"Job {done.Id} analyzed", TimeSpan.FromSeconds(10));
            api.Output.Should().NotContain($"Job {done.Id} analyzed", "the api role runs no workers");

            api.Terminate();
            worker.Terminate();
            (await api.WaitForExitAsync(TimeSpan.FromSeconds(45))).Should().Be(0, api.Output);
            (await worker.WaitForExitAsync(TimeSpan.FromSeconds(45))).Should().Be(0, worker.Output);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_worker_stopped_by_SIGTERM_returns_its_running_job_and_another_worker_completes_it()
    {
        await using var redis = await RedisServer.StartAsync();
        var directory = Path.Combine(Path.GetTempPath(), "strata-sample-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var apiPort = CommandLineTests.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Database"] = $"Data Source={Path.Combine(directory, "sample.db")}",
            ["ConnectionStrings__Redis"] = redis.ConnectionString,
            ["Ai__SimulatedLatency"] = "00:00:00.050",
        };

        var hosts = new List<HostProcess>();
        try
        {
            string key;
            await using (var keys = HostProcess.Start(environment, "keys", "create", "--name", "shutdown", "--scopes", "jobs:write"))
            {
                (await keys.WaitForExitAsync(StartTimeout)).Should().Be(0, keys.Output);
                key = Regex.Match(keys.Output, @"sk_sample_[0-9A-Za-z]{49}").Value;
            }

            var api = Track(hosts, HostProcess.Start(With(environment, "ASPNETCORE_URLS", $"http://127.0.0.1:{apiPort}"), "--role", "api"));
            // A slow model and a short shutdown: the job is still running when the worker is told to stop.
            var slowWorkerPort = CommandLineTests.FreePort();
            var slowWorker = Track(hosts, HostProcess.Start(
                With(With(With(environment, "ASPNETCORE_URLS", $"http://127.0.0.1:{slowWorkerPort}"), "Ai__SimulatedLatency", "00:01:00"), "Api__ShutdownTimeout", "00:00:03"),
                "--role", "worker"));
            using var apiClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}") };
            using var slowClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{slowWorkerPort}") };
            await WaitUntilReadyAsync(apiClient, api);
            await WaitUntilReadyAsync(slowClient, slowWorker);
            apiClient.DefaultRequestHeaders.Add("X-Api-Key", key);

            using var accepted = await apiClient.PostTextAsync("/v1/jobs", "A report the slow worker will not finish.");
            accepted.StatusCode.Should().Be(HttpStatusCode.Accepted, api.Output);
            var location = accepted.Headers.Location!.ToString();
            var running = await PollAsync(apiClient, location, until: "running");
            running.State.Should().Be("running", slowWorker.Output);

            slowWorker.Terminate();
            (await slowWorker.WaitForExitAsync(TimeSpan.FromSeconds(45))).Should().Be(0, slowWorker.Output);
            slowWorker.Output.Should().Contain($"Job {running.Id} was interrupted by shutdown and handed back to its queue.");

            // Handed back before the process exited: queued again at once, not left running until its lease (30 s) runs out.
            var handedBack = await apiClient.GetFromJsonAsync<JobStatus>(location);
            handedBack!.State.Should().Be("queued", slowWorker.Output);
            handedBack.Attempt.Should().Be(1, "an interrupted attempt is not a failed one");

            var workerPort = CommandLineTests.FreePort();
            var worker = Track(hosts, HostProcess.Start(With(environment, "ASPNETCORE_URLS", $"http://127.0.0.1:{workerPort}"), "--role", "worker"));
            var done = await PollAsync(apiClient, location);

            done.State.Should().Be("succeeded", worker.Output);
            done.Attempt.Should().Be(1);
            done.Redeliveries.Should().Be(0, "the job was handed back, not reclaimed after the first worker's lease");
            await worker.WaitForOutputAsync($"Job {done.Id} analyzed", TimeSpan.FromSeconds(10));
            slowWorker.Output.Should().NotContain($"Job {done.Id} analyzed");
            worker.Output.Should().NotContain("Reclaimed job", "the second worker read the handed-back entry, it did not reclaim the first worker's");
            await using (var connection = await redis.ConnectAsync())
            {
                var redeliveries = await connection.GetDatabase().HashGetAsync($"strata:jobs:{{default}}:job:{done.Id}", "redeliveries");
                ((int)redeliveries).Should().Be(0, "the job was handed back, not reclaimed after the first worker's lease");
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left to the OS's temp cleanup.
            }
        }
    }

    private static HostProcess Track(List<HostProcess> hosts, HostProcess host)
    {
        hosts.Add(host);
        return host;
    }

    private static Dictionary<string, string> With(Dictionary<string, string> environment, string name, string value)
        => new(environment) { [name] = value };

    private static async Task WaitUntilReadyAsync(HttpClient client, HostProcess host)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline && !host.HasExited)
        {
            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        Assert.Fail($"{client.BaseAddress} never became ready (exited: {host.HasExited}). Output:\n{host.Output}");
    }

    private static async Task<JobStatus> PollAsync(HttpClient client, string location, string? until = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = await client.GetFromJsonAsync<JobStatus>(location);
            if (status!.State is "succeeded" or "dead" or "cancelled" || status.State == until || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(100);
        }
    }
}
