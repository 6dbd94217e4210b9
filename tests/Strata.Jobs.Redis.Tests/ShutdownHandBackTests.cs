using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>
/// A worker stopped while a job runs hands the job back before its host stops: the job is queued again when the stop
/// returns, and another worker runs it as a new entry, not through the reaper (the lease is ten minutes here). Each
/// way the backend can get its connection is covered, including the sample host's: a multiplexer registered in DI by
/// a factory, which the host's container disposes when the host is disposed.
/// </summary>
public sealed class ShutdownHandBackTests(RedisFixture redis) : JobBackendTestBase, IClassFixture<RedisFixture>
{
    private static readonly TimeSpan LongLease = TimeSpan.FromMinutes(10);
    private readonly string _prefix = RedisFixture.UniquePrefix();
    private ConnectionKind _connection;
    private TimeSpan? _stopsFirstFor;

    public enum ConnectionKind
    {
        /// <summary>One multiplexer that outlives the host (the fixture's).</summary>
        Shared,

        /// <summary>A multiplexer the host's container creates and disposes (as the sample host registers it).</summary>
        OwnedByContainer,

        /// <summary>No multiplexer in DI: the backend connects with the configuration string and disposes it.</summary>
        OwnedByBackend,
    }

    protected override void UseBackend(JobsBuilder builder)
    {
        var services = builder.Services;
        switch (_connection)
        {
            case ConnectionKind.Shared:
                services.AddSingleton(redis.Connection);
                break;
            case ConnectionKind.OwnedByContainer:
                services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis.Server.ConnectionString));
                break;
        }

        builder.UseRedis(o =>
        {
            o.KeyPrefix = _prefix;
            o.LeaseTime = LongLease;
            o.PollInterval = TimeSpan.FromMilliseconds(200);
            if (_connection == ConnectionKind.OwnedByBackend)
            {
                o.Configuration = redis.Server.ConnectionString;
            }
        });

        builder.AddHandler<CleanUpJob, CleanUpHandler>();
        if (_stopsFirstFor is { } stopTime)
        {
            // Registered after the workers, so the host stops it before them. Only the host that is stopped gets it.
            _stopsFirstFor = null;
            services.AddHostedService(_ => new SlowToStop(stopTime));
        }
    }

    [Theory]
    [InlineData(ConnectionKind.Shared)]
    [InlineData(ConnectionKind.OwnedByContainer)]
    [InlineData(ConnectionKind.OwnedByBackend)]
    public async Task Job_running_when_its_host_stops_is_queued_again_and_another_host_completes_it_without_the_reaper(ConnectionKind connection)
    {
        _connection = connection;

        await InterruptThenCompleteElsewhereAsync(new RecordJob("gate"), o => o.ShutdownDrainTimeout = TimeSpan.FromMilliseconds(100));
    }

    [Theory]
    [InlineData(ConnectionKind.Shared)]
    [InlineData(ConnectionKind.OwnedByContainer)]
    [InlineData(ConnectionKind.OwnedByBackend)]
    public async Task Job_is_handed_back_even_when_the_hosts_shutdown_timeout_runs_out_during_the_drain(ConnectionKind connection)
    {
        // The drain window is 80% of the host's shutdown timeout, counted from when the workers are told to stop; a
        // service the host stops first (Kestrel finishing requests, an exporter flushing) uses up part of that timeout,
        // so the host's token fires before the drain window ends. The handler then cleans up asynchronously before it
        // rethrows (as the sample's handler does when its DI scope, with a DbContext, is disposed), so the hand-back
        // happens after the host's token fired: the worker's stop must wait for it. The sample host on SIGTERM under
        // load, made certain.
        _connection = connection;

        await InterruptThenCompleteElsewhereAsync(
            new CleanUpJob("gate"),
            o =>
            {
                o.ShutdownDrainTimeout = null;
                o.TimeoutGracePeriod = TimeSpan.FromSeconds(10);
            },
            services => services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2)),
            stopsFirstFor: TimeSpan.FromSeconds(1));
    }

    private async Task InterruptThenCompleteElsewhereAsync<TJob>(
        TJob job,
        Action<JobsOptions> configure,
        Action<IServiceCollection>? services = null,
        TimeSpan? stopsFirstFor = null)
        where TJob : notnull
    {
        var api = await StartHostAsync(o => o.RunWorkers = false);
        var probe = new JobProbe();

        // The gated job honours its token and cannot finish before the gate opens: only the shutdown ends its run.
        // A default timeout, as the sample host sets one, so the worker also watches for a handler past its timeout.
        _stopsFirstFor = stopsFirstFor;
        var leaving = await StartHostAsync(
            o =>
            {
                o.DefaultTimeout = TimeSpan.FromMinutes(2);
                configure(o);
            },
            services,
            probe);
        var id = await api.Queue.EnqueueAsync(job);
        await api.WaitForStateAsync(id, JobState.Running);

        // What the sample's Program does on SIGTERM: stop the host, then dispose it (and its container).
        await leaving.StopAsync();
        leaving.Host.Dispose();

        var handedBack = await api.Store.GetAsync(id);
        handedBack!.State.Should().Be(JobState.Queued, "the stopping worker handed the job back before its host stopped");
        handedBack.Attempt.Should().Be(1);
        probe.Runs.Should().BeEmpty("the interrupted run did not get past the gate");
        var pending = await redis.Connection.GetDatabase().StreamPendingAsync(_prefix + "{default}:stream", "strata-workers");
        pending.PendingMessageCount.Should().Be(0, "the interrupted delivery was acknowledged; only the new entry is left, unread");

        probe.Gate.SetResult();
        var staying = await StartHostAsync(probe: probe);
        var info = await staying.WaitForStateAsync(id, JobState.Succeeded);

        info.Attempt.Should().Be(1, "an interrupted attempt is not a failed one");
        info.Redeliveries.Should().Be(0, "the job was handed back and read as a new entry, not reclaimed after its lease");
        probe.Runs.Should().ContainSingle().Which.Should().Be("gate");
    }

    /// <summary>A job that waits for the probe's gate and, when its token fires first, cleans up asynchronously before it ends.</summary>
    public sealed record CleanUpJob(string Key);

    private sealed class CleanUpHandler(JobProbe probe) : IJobHandler<CleanUpJob>
    {
        public async Task HandleAsync(CleanUpJob job, JobContext context)
        {
            try
            {
                await probe.Gate.Task.WaitAsync(context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                await Task.Delay(200, CancellationToken.None);
                throw;
            }

            probe.Runs.Enqueue(job.Key);
        }
    }

    /// <summary>A hosted service whose stop takes a while and does not end early when the host's token fires.</summary>
    private sealed class SlowToStop(TimeSpan stopTime) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.Delay(stopTime, CancellationToken.None);
    }
}
