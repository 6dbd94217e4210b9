using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Strata.Jobs.Testing;

/// <summary>
/// Starts test hosts with every test job of this package registered on the backend a derived class selects, and stops
/// them after the test. <see cref="JobBackendContractTests"/> derives from it; derive from it yourself for tests of
/// your own backend's behaviour beyond the contract.
/// </summary>
public abstract class JobBackendTestBase : IAsyncLifetime
{
    private readonly List<TestJobsHost> _hosts = [];

    /// <summary>Selects the backend under test on <paramref name="builder"/>: <c>builder.UseBackend&lt;MyBackend&gt;()</c>, with whatever it needs registered on <c>builder.Services</c>.</summary>
    /// <param name="builder">The jobs builder of the host being started.</param>
    protected abstract void UseBackend(JobsBuilder builder);

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>
    /// Builds and starts a host with concurrency 4, retry delays of 10 to 50 ms, a 200 ms timeout grace period and the
    /// jobs health check; <paramref name="configure"/> changes the options after those.
    /// </summary>
    /// <param name="configure">Changes the jobs options.</param>
    /// <param name="services">Adds services before the jobs are registered (a <see cref="TimeProvider"/>, say).</param>
    /// <param name="probe">The probe the handlers report to; a new one when null. Pass one to share it between hosts.</param>
    /// <param name="beforeStart">Runs after the host is built and before its workers start.</param>
    /// <returns>The started host; stopped and disposed after the test.</returns>
    protected Task<TestJobsHost> StartHostAsync(
        Action<JobsOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        JobProbe? probe = null,
        Func<IServiceProvider, Task>? beforeStart = null) =>
        StartHostCoreAsync(configure, services, probe, beforeStart, afterBackend: null);

    internal async Task<TestJobsHost> StartHostCoreAsync(
        Action<JobsOptions>? configure,
        Action<IServiceCollection>? services,
        JobProbe? probe,
        Func<IServiceProvider, Task>? beforeStart,
        Action<IServiceCollection>? afterBackend)
    {
        probe ??= new JobProbe();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(probe);
        builder.Services.AddScoped<ScopedDependency>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Services.AddHealthChecks().AddStrataJobsHealthCheck();
        services?.Invoke(builder.Services);
        var jobs = builder.Services.AddStrataJobs(options =>
            {
                options.Concurrency = 4;
                options.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
                options.RetryMaxDelay = TimeSpan.FromMilliseconds(50);
                options.TimeoutGracePeriod = TimeSpan.FromMilliseconds(200);
                configure?.Invoke(options);
            })
            .AddHandler<EchoJob, EchoHandler>()
            .AddHandler<FlakyJob, FlakyHandler>()
            .AddHandler<BlockingJob, BlockingHandler>()
            .AddHandler<HangingJob, HangingHandler>()
            .AddHandler<RecordJob, RecordHandler>()
            .AddHandler<SlowJob, SlowHandler>()
            .AddHandler<ScopedJob, ScopedHandler>()
            .AddHandler<RejectedJob, RejectingHandler>()
            .AddHandler<ThreadHoldingJob, ThreadHoldingHandler>();
        UseBackend(jobs);
        afterBackend?.Invoke(builder.Services);
        var host = builder.Build();
        try
        {
            if (beforeStart is not null)
            {
                await beforeStart(host.Services);
            }

            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        var testHost = new TestJobsHost(host, probe);
        _hosts.Add(testHost);
        return testHost;
    }

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; fails after 30 s.</summary>
    /// <param name="condition">What to wait for.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    protected static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(20, limit.Token);
        }
    }
}
