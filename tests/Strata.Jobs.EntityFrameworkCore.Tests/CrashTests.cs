using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Strata.Jobs.EntityFrameworkCore.TestWorker;
using Strata.Testing;

namespace Strata.Jobs.EntityFrameworkCore.Tests;

/// <summary>Crashes for real: a worker in a child process killed with SIGKILL mid-job. At-least-once means every job still completes.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CrashTests(PostgresCluster cluster)
{
    private const int ChildConcurrency = 4;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Worker_killed_with_SIGKILL_mid_job_loses_no_job_its_leases_run_out_and_another_node_runs_them()
    {
        var connectionString = cluster.ConnectionStringFor(await cluster.CreateDatabaseAsync("crash"));
        const int Jobs = 40;
        const int FirstHeld = 10;

        // The child runs four jobs at a time. Jobs 10 to 13 wait for a gate that opens only after the kill, so once
        // all four are running and 0 to 9 read Succeeded, the child provably holds exactly them. (A job's slot frees
        // when its handler returns, before its success is written: without the wait for 0 to 9, a kill in that gap
        // leaves job 9 done but unsettled, and the survivor runs it again.)
        var held = Enumerable.Range(FirstHeld, ChildConcurrency).ToHashSet();
        using var producer = await StartHostAsync(connectionString, runWorkers: false);
        await using (var scope = producer.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CrashDbContext>().Database.EnsureCreatedAsync();
        }

        var queue = producer.Services.GetRequiredService<IJobQueue>();
        var store = producer.Services.GetRequiredService<IJobStore>();
        var ids = new List<string>();
        for (var i = 0; i < Jobs; i++)
        {
            ids.Add(await queue.EnqueueAsync(new CrashJob(i, 100, Gated: held.Contains(i))));
        }

        var heldIds = held.Select(i => ids[i]).ToList();
        using (var child = StartChildWorker(connectionString))
        {
            try
            {
                foreach (var id in ids.Take(FirstHeld))
                {
                    await WaitUntilAsync(async () => (await store.GetAsync(id))?.State == JobState.Succeeded, child);
                }

                foreach (var id in heldIds)
                {
                    await WaitUntilAsync(async () => (await store.GetAsync(id))?.State == JobState.Running, child);
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

        await using (var scope = producer.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CrashDbContext>();
            (await db.Done.Select(d => d.Number).ToListAsync()).Should().BeEquivalentTo(Enumerable.Range(0, FirstHeld), "the child finished the jobs before the gated ones");
            foreach (var id in heldIds)
            {
                (await store.GetAsync(id))!.State.Should().Be(JobState.Running, "the killed child still holds its lease on the gated jobs");
            }

            db.Gates.Add(new Gate());
            await db.SaveChangesAsync();
        }

        using var survivor = await StartHostAsync(connectionString, runWorkers: true);
        var infos = new List<JobInfo>();
        foreach (var id in ids)
        {
            infos.Add(await WaitForStateAsync(store, id, JobState.Succeeded));
        }

        await using (var scope = producer.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CrashDbContext>();
            (await db.Done.Select(d => d.Number).ToListAsync()).Should().BeEquivalentTo(Enumerable.Range(0, Jobs));
        }

        infos.Where(i => heldIds.Contains(i.Id)).Should().HaveCount(ChildConcurrency)
            .And.OnlyContain(i => i.Redeliveries >= 1, "the jobs the killed worker held were delivered again");
        infos.Take(FirstHeld).Should().OnlyContain(i => i.Redeliveries == 0, "the jobs the child finished were delivered once");
        infos.Should().OnlyContain(i => i.Attempt == 1, "a crash is not a failed attempt");
        await survivor.StopAsync();
        await producer.StopAsync();
    }

    private static async Task<IHost> StartHostAsync(string connectionString, bool runWorkers)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDbContext<CrashDbContext>(o => o.UseNpgsql(connectionString));
        builder.Services.AddStrataJobs(o =>
            {
                o.Concurrency = 4;
                o.RunWorkers = runWorkers;
            })
            .AddHandler<CrashJob, CrashJobHandler>()
            .UseEntityFramework<CrashDbContext>(o =>
            {
                o.LeaseTime = TimeSpan.FromSeconds(2);
                o.PollInterval = TimeSpan.FromMilliseconds(200);
            });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static Process StartChildWorker(string connectionString)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(CrashJob).Assembly.Location);
        start.ArgumentList.Add(connectionString);
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
        await WaitUntilAsync(async () => (last = await store.GetAsync(id))?.State == state, child: null);
        return last!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Process? child)
    {
        using var limit = new CancellationTokenSource(Limit);
        while (!await condition())
        {
            if (child is { HasExited: true })
            {
                throw new InvalidOperationException($"The child worker exited early with code {child.ExitCode}.");
            }

            await Task.Delay(25, limit.Token);
        }
    }
}
