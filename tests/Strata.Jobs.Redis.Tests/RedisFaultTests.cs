using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Strata.Jobs.Redis.TestWorker;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>
/// Crashes for real: a worker in a child process killed with SIGKILL mid-job, and a redis-server killed
/// and restarted during a run. At-least-once means every job still completes.
/// </summary>
public sealed class RedisFaultTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const int ChildConcurrency = 4;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Worker_killed_with_SIGKILL_mid_job_loses_no_job()
    {
        var prefix = RedisFixture.UniquePrefix();
        var doneKey = prefix + "done";
        var gateKey = prefix + "gate";
        const int Jobs = 40;
        const int FirstHeld = 10;

        // The child runs four jobs at a time. Jobs 10 to 13 wait for a gate that opens only after the kill,
        // so once all four are running the child provably holds exactly them (and has finished 0 to 9).
        var held = Enumerable.Range(FirstHeld, ChildConcurrency).ToHashSet();
        using var producer = await StartHostAsync(redis.Connection, prefix, runWorkers: false);
        var queue = producer.Services.GetRequiredService<IJobQueue>();
        var producerStore = producer.Services.GetRequiredService<IJobStore>();
        var ids = new List<string>();
        for (var i = 0; i < Jobs; i++)
        {
            ids.Add(await queue.EnqueueAsync(new CrashJob(i, 300, doneKey, held.Contains(i) ? gateKey : null)));
        }

        var heldIds = held.Select(i => ids[i]).ToList();
        string consumer;
        using (var child = StartChildWorker(redis.Server.ConnectionString, prefix))
        {
            try
            {
                consumer = "child-" + child.Id;
                foreach (var id in heldIds)
                {
                    await WaitUntilAsync(async () => (await producerStore.GetAsync(id))?.State == JobState.Running, child);
                }

                child.Kill();
                await child.WaitForExitAsync();
            }
            finally
            {
                if (!child.HasExited)
                {
                    child.Kill();
                }
            }
        }

        var db = redis.Connection.GetDatabase();
        (await db.SetMembersAsync(doneKey)).Select(v => (int)v).Should().BeEquivalentTo(Enumerable.Range(0, FirstHeld), "the child finished the jobs before the gated ones");
        (await PendingJobIdsAsync(db, prefix, consumer)).Should().BeEquivalentTo(heldIds, "the killed child held exactly the gated jobs, unacknowledged");
        await db.StringSetAsync(gateKey, "open");

        using var survivor = await StartHostAsync(redis.Connection, prefix, runWorkers: true);
        var store = survivor.Services.GetRequiredService<IJobStore>();
        var infos = new List<JobInfo>();
        foreach (var id in ids)
        {
            infos.Add(await WaitForStateAsync(store, id, JobState.Succeeded));
        }

        var done = await db.SetMembersAsync(doneKey);
        done.Select(v => (int)v).Should().BeEquivalentTo(Enumerable.Range(0, Jobs));
        infos.Where(i => heldIds.Contains(i.Id)).Should().HaveCount(ChildConcurrency)
            .And.OnlyContain(i => i.Redeliveries >= 1, "the jobs the killed worker held were delivered again");
        infos.Take(FirstHeld).Should().OnlyContain(i => i.Redeliveries == 0, "the jobs the child finished were delivered once");
        infos.Should().OnlyContain(i => i.Attempt == 1, "a crash is not a failed attempt");
        await survivor.StopAsync();
    }

    [Fact]
    public async Task Workers_reconnect_and_carry_on_after_redis_restarts()
    {
        await using var server = await RedisServer.StartAsync(["--appendonly", "yes", "--appendfsync", "always"]);
        await using var connection = await server.ConnectAsync();
        var prefix = RedisFixture.UniquePrefix();
        var doneKey = prefix + "done";
        using var host = await StartHostAsync(connection, prefix, runWorkers: true, concurrency: 2);
        var queue = host.Services.GetRequiredService<IJobQueue>();
        var store = host.Services.GetRequiredService<IJobStore>();
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await queue.EnqueueAsync(new CrashJob(i, 150, doneKey)));
        }

        await WaitUntilAsync(async () => await connection.GetDatabase().SetLengthAsync(doneKey) >= 3, child: null);
        await server.KillAsync();
        await Task.Delay(500);
        await server.RestartAsync();
        await WaitUntilAsync(() => Task.FromResult(connection.IsConnected), child: null);

        for (var i = 20; i < 30; i++)
        {
            ids.Add(await queue.EnqueueAsync(new CrashJob(i, 10, doneKey)));
        }

        foreach (var id in ids)
        {
            await WaitForStateAsync(store, id, JobState.Succeeded);
        }

        var done = await connection.GetDatabase().SetMembersAsync(doneKey);
        done.Select(v => (int)v).Should().BeEquivalentTo(Enumerable.Range(0, 30));
        await host.StopAsync();
    }

    [Fact]
    public async Task With_redis_down_the_endpoints_answer_503_and_the_health_check_is_unhealthy_then_recover()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<IConnectionMultiplexer>(connection);
        builder.Services.AddHealthChecks().AddStrataJobsHealthCheck();
        builder.Services.AddStrataJobs().AddHandler<CrashJob, CrashJobHandler>().UseRedis(o => o.KeyPrefix = RedisFixture.UniquePrefix());
        await using var app = builder.Build();
        app.MapJobEndpoints<CrashJob>("/jobs");
        await app.StartAsync();
        using var client = app.GetTestClient();
        var health = app.Services.GetRequiredService<HealthCheckService>();
        var body = JsonContent.Create(new CrashJob(1, 1, "unused"));

        (await health.CheckHealthAsync()).Status.Should().Be(HealthStatus.Healthy);
        await server.KillAsync();
        using var post = await client.PostAsync("/jobs", body);
        using var get = await client.GetAsync("/jobs/default.0123456789abcdef0123456789abcdef");
        var down = await health.CheckHealthAsync();

        post.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        post.Headers.RetryAfter.Should().NotBeNull();
        post.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        get.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        down.Status.Should().Be(HealthStatus.Unhealthy);

        await server.RestartAsync();
        await WaitUntilAsync(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Healthy, child: null);
        using var again = await client.PostAsync("/jobs", JsonContent.Create(new CrashJob(2, 1, "unused")));
        again.StatusCode.Should().Be(HttpStatusCode.Accepted);
        await app.StopAsync();
    }

    private static async Task<IHost> StartHostAsync(IConnectionMultiplexer connection, string prefix, bool runWorkers, int concurrency = 4)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(connection);
        builder.Services.AddStrataJobs(o =>
            {
                o.RunWorkers = runWorkers;
                o.Concurrency = concurrency;
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(50);
                o.RetryMaxDelay = TimeSpan.FromMilliseconds(200);
            })
            .AddHandler<CrashJob, CrashJobHandler>()
            .UseRedis(o =>
            {
                o.KeyPrefix = prefix;
                o.LeaseTime = TimeSpan.FromSeconds(1);
                o.PollInterval = TimeSpan.FromMilliseconds(300);
            });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>The ids of the jobs whose stream entries <paramref name="consumer"/> holds unacknowledged (XPENDING, then XRANGE).</summary>
    private static async Task<List<string>> PendingJobIdsAsync(IDatabase db, string prefix, string consumer)
    {
        var stream = prefix + "{default}:stream";
        var pending = await db.StreamPendingMessagesAsync(stream, "strata-workers", 100, consumer);
        var jobIds = new List<string>();
        foreach (var entry in pending)
        {
            var read = await db.StreamRangeAsync(stream, entry.MessageId, entry.MessageId);
            using var envelope = JsonDocument.Parse(read.Single()["e"].ToString());
            jobIds.Add(envelope.RootElement.GetProperty("Id").GetString()!);
        }

        return jobIds;
    }

    private static Process StartChildWorker(string connectionString, string prefix)
    {
        var workerDll = typeof(CrashJob).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(workerDll);
        start.ArgumentList.Add(connectionString);
        start.ArgumentList.Add(prefix);
        var process = Process.Start(start) ?? throw new InvalidOperationException("The child worker did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<JobInfo> WaitForStateAsync(IJobStore store, string id, JobState state)
    {
        JobInfo? last = null;
        await WaitUntilAsync(
            async () =>
            {
                try
                {
                    last = await store.GetAsync(id);
                }
                catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
                {
                    return false;
                }

                return last?.State == state;
            },
            child: null);
        return last!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Process? child)
    {
        using var limit = new CancellationTokenSource(Limit);
        while (true)
        {
            bool met;
            try
            {
                met = await condition();
            }
            catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
            {
                met = false;
            }

            if (met)
            {
                return;
            }

            if (child is { HasExited: true })
            {
                throw new InvalidOperationException($"The child worker exited early with code {child.ExitCode}.");
            }

            await Task.Delay(25, limit.Token);
        }
    }
}
