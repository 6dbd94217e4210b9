using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strata.Jobs;

namespace Strata.Benchmarks.SyncAsync;

/// <summary>
/// The host the sync/async benchmarks load: a Kestrel server on a loopback port, run in a child process of its own
/// (<c>Strata.Benchmarks --sync-async-server</c>) so that its thread pool is not the load generator's. It runs with the
/// runtime's defaults (no <c>SetMinThreads</c>, server GC as an ASP.NET Core host has), prints
/// <c>listening http://127.0.0.1:port</c> on its standard output once it accepts requests, and exits when its
/// standard input closes (the benchmark process ended, however it ended).
/// </summary>
internal static class SyncAsyncServer
{
    /// <summary>The argument that starts this host instead of BenchmarkDotNet.</summary>
    public const string Argument = "--sync-async-server";

    /// <summary>The line prefix that announces the address.</summary>
    public const string ListeningPrefix = "listening ";

    /// <summary>The prefix of the lines the sampler prints.</summary>
    public const string StatsPrefix = "stats ";

    /// <summary>The simulated I/O wait of every I/O endpoint and of the job handler.</summary>
    public const int WaitMilliseconds = 20;

    /// <summary>SHA-256 rounds over <see cref="HashInput"/> per CPU-bound request (about 1 ms of CPU on the benchmark machine).</summary>
    public const int HashRounds = 320;

    private static readonly byte[] HashInput = new byte[4096];

    private static long _jobsAccepted;
    private static long _jobsDone;
    private static int _peakThreads;  // written by the sampler thread only

    /// <summary>Runs the host until standard input closes.</summary>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Services.AddStrataJobs(o =>
            {
                // Workers are async: a slot waiting on the handler's Task.Delay holds no thread, so many slots cost
                // little. 2,048 slots finish up to ~100k 20 ms jobs/s: the workers are never what limits the accept rate.
                o.Concurrency = 2048;
            })
            .AddHandler<SimulatedWork, SimulatedWorkHandler>()
            .UseInMemory(o => o.Capacity = 2_000_000);

        var app = builder.Build();

        // Counts the jobs the 202 endpoint accepted, so the benchmark can wait for every one of them to run.
        app.Use(static async (context, next) =>
        {
            await next(context).ConfigureAwait(false);
            if (context.Response.StatusCode == StatusCodes.Status202Accepted)
            {
                Interlocked.Increment(ref _jobsAccepted);
            }
        });

        // Blocking waits: the request holds its thread-pool thread for the whole 20 ms.
        app.MapGet("/io/sleep", static () =>
        {
            Thread.Sleep(WaitMilliseconds);
            return "ok";
        });

        // Sync over async: the thread blocks on a task that needs the thread pool (the timer callback and the
        // async method's continuation) to complete.
        app.MapGet("/io/result", static () => SimulatedIoAsync().Result);

        // The async version: no thread is held while the timer runs.
        app.MapGet("/io/await", static async () => await SimulatedIoAsync().ConfigureAwait(false));

        // The 202 path: Strata.Jobs accepts the work and a worker runs it (the handler waits 20 ms).
        app.MapJobEndpoints<SimulatedWork>("/jobs");

        // Blocking inside an async handler (the misuse that stalls Python's event loop): here it holds the request's
        // pool thread, as a sync handler does. The await finds its task complete and never yields.
        app.MapGet("/io/block-in-async", static async () =>
        {
            Thread.Sleep(WaitMilliseconds);
            await Task.CompletedTask.ConfigureAwait(false);
            return "ok";
        });

        // CPU-bound work, run on the request's thread, or wrapped in Task.Run and awaited.
        app.MapGet("/cpu/sync", static () => Hash());
        app.MapGet("/cpu/async", static async () => await Task.Run(Hash).ConfigureAwait(false));

        // A small JSON body read, bound to a type and written back (the framework's serializer both ways).
        app.MapPost("/json", static (EchoPayload payload) => payload);

        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        Console.WriteLine(ListeningPrefix + address);
        Console.Out.Flush();
        StartThreadSampler();

        // The parent holds our standard input: end of input means the benchmark is over (or died).
        await Task.Run(() =>
        {
            while (Console.In.ReadLine() is not null)
            {
            }
        }).ConfigureAwait(false);
        await app.StopAsync().ConfigureAwait(false);
        return 0;
    }

    private static async Task<string> SimulatedIoAsync()
    {
        await Task.Delay(WaitMilliseconds).ConfigureAwait(false);
        return "ok";
    }

    private static string Hash()
    {
        Span<byte> digest = stackalloc byte[32];
        for (var i = 0; i < HashRounds; i++)
        {
            SHA256.HashData(HashInput, digest);
        }

        return "ok";
    }

    /// <summary>
    /// A dedicated thread, not a pool thread, so that a starved or deadlocked pool cannot delay it: it records the
    /// largest <see cref="ThreadPool.ThreadCount"/> seen and prints a <c>stats</c> line on standard output every 50 ms
    /// (an HTTP endpoint would queue behind the blocked requests it is meant to observe).
    /// </summary>
    private static void StartThreadSampler()
    {
        var thread = new Thread(static () =>
        {
            var printed = 0;
            while (true)
            {
                var count = ThreadPool.ThreadCount;
                if (count > _peakThreads)
                {
                    _peakThreads = count;
                }

                if (++printed % 5 == 0)
                {
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{StatsPrefix}threads={count} peak={_peakThreads} pending={ThreadPool.PendingWorkItemCount} accepted={Interlocked.Read(ref _jobsAccepted)} done={Interlocked.Read(ref _jobsDone)}"));
                    Console.Out.Flush();
                }

                Thread.Sleep(10);
            }
        })
        { IsBackground = true, Name = "thread-pool sampler" };
        thread.Start();
    }

    /// <summary>The body <c>POST /json</c> reads and writes back.</summary>
    /// <param name="Id">A number.</param>
    /// <param name="Name">A name.</param>
    /// <param name="Tags">A few strings.</param>
    /// <param name="Score">A fraction.</param>
    internal sealed record EchoPayload(int Id, string Name, IReadOnlyList<string> Tags, double Score);

    /// <summary>The job the 202 endpoint accepts.</summary>
    /// <param name="Milliseconds">How long the handler waits.</param>
    internal sealed record SimulatedWork(int Milliseconds);

    /// <summary>Waits as a call to a slow dependency would, then counts the job as done.</summary>
    internal sealed class SimulatedWorkHandler : IJobHandler<SimulatedWork>
    {
        public async Task HandleAsync(SimulatedWork job, JobContext context)
        {
            await Task.Delay(job.Milliseconds, context.CancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _jobsDone);
        }
    }
}
