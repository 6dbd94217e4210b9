using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Strata.Jobs.Tests.Contract;

/// <summary>Starts test hosts with every test job registered on the backend a derived class selects, and stops them after the test.</summary>
public abstract class JobsTestBase : IAsyncLifetime
{
    private readonly List<TestJobsHost> _hosts = [];

    /// <summary>Selects the backend under test.</summary>
    protected abstract void UseBackend(JobsBuilder builder);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>Builds and starts a host; <paramref name="beforeStart"/> runs after it is built and before its workers start.</summary>
    protected async Task<TestJobsHost> StartHostAsync(
        Action<JobsOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        Probe? probe = null,
        Func<IServiceProvider, Task>? beforeStart = null)
    {
        probe ??= new Probe();
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

    protected static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(20, limit.Token);
        }
    }
}
