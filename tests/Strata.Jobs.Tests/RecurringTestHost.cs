using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Backends;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>
/// A host for the recurring-job tests: the in-memory backend (or another host's backend instance, shared as on one
/// store), a <see cref="FakeTimeProvider"/> and fake logging. Without workers the scheduler's loop does not run, and a
/// test drives the passes itself (<see cref="PassAsync"/>), so every step is deterministic.
/// </summary>
internal sealed class RecurringTestHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private RecurringTestHost(IHost host, FakeTimeProvider time)
    {
        Host = host;
        Time = time;
    }

    public IHost Host { get; }

    public FakeTimeProvider Time { get; }

    public IServiceProvider Services => Host.Services;

    public IRecurringJobs Recurring => Services.GetRequiredService<IRecurringJobs>();

    public IJobBackend Backend => Services.GetRequiredService<IJobBackend>();

    public IJobStore Store => Services.GetRequiredService<IJobStore>();

    public JobProbe Probe => Services.GetRequiredService<JobProbe>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public RecurringScheduler Scheduler => Services.GetServices<IHostedService>().OfType<RecurringScheduler>().Single();

    public static IHost Build(FakeTimeProvider time, Action<JobsBuilder>? jobs = null, IJobBackend? sharedBackend = null, bool runWorkers = false, Action<JobsOptions>? options = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton(new JobProbe());
        builder.Services.AddFakeLogging();
        var jobsBuilder = builder.Services.AddStrataJobs(o =>
            {
                o.RunWorkers = runWorkers;
                o.Concurrency = 4;
                options?.Invoke(o);
            })
            .AddHandler<RecordJob, RecordHandler>()
            .AddHandler<EchoJob, EchoHandler>();
        if (sharedBackend is not null)
        {
            // Another host's backend object: both hosts then share one store, as hosts on one Redis do.
            jobsBuilder.UseBackend(_ => sharedBackend);
        }

        jobs?.Invoke(jobsBuilder);
        return builder.Build();
    }

    public static async Task<RecurringTestHost> StartAsync(FakeTimeProvider time, Action<JobsBuilder>? jobs = null, IJobBackend? sharedBackend = null, bool runWorkers = false, Action<JobsOptions>? options = null)
    {
        var host = Build(time, jobs, sharedBackend, runWorkers, options);
        await host.StartAsync();
        return new RecurringTestHost(host, time);
    }

    /// <summary>Runs scheduler passes until one asks for no immediate follow-up (a misfire takes two: move, then fire).</summary>
    public async Task PassAsync()
    {
        for (var i = 0; i < 10; i++)
        {
            if (await Scheduler.RunOnceAsync(CancellationToken.None) > TimeSpan.Zero)
            {
                return;
            }
        }
    }

    /// <summary>How many jobs the backend holds, in every state.</summary>
    public async Task<long> CountJobsAsync() => (await Backend.CountAsync(CancellationToken.None)).Sum(c => c.Count);

    public async Task<RecurringJobInfo> GetAsync(string name) =>
        await Recurring.GetAsync(name) ?? throw new InvalidOperationException($"No schedule '{name}'.");

    public async ValueTask DisposeAsync()
    {
        // Stopped, not disposed, when another host shares this one's backend; the test disposes last.
        await Host.StopAsync();
        Host.Dispose();
    }
}
