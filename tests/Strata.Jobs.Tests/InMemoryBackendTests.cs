using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>What only the in-memory backend does: bounded channels, and time-driven behaviour under a fake clock.</summary>
public sealed class InMemoryBackendTests : JobBackendTestBase
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    protected override void UseBackend(JobsBuilder builder) => builder.UseInMemory(o => o.Capacity = 2);

    [Fact]
    public async Task TryEnqueue_on_a_full_queue_says_no_and_EnqueueAsync_waits_for_room()
    {
        var host = await StartHostAsync(o => o.Concurrency = 1);
        var gate = await host.Queue.EnqueueAsync(new RecordJob("gate"));
        await host.WaitForStateAsync(gate, JobState.Running);
        await host.Queue.EnqueueAsync(new RecordJob("1"));
        await host.Queue.EnqueueAsync(new RecordJob("2"));

        var refused = await host.Queue.TryEnqueueAsync(new RecordJob("3"));
        var roomMade = new TaskCompletionSource();
        var waiting = host.Queue.EnqueueAsync(new RecordJob("4")).AsTask();
        var completedAfterRoomWasMade = waiting.ContinueWith(_ => roomMade.Task.IsCompleted, TaskScheduler.Default);

        refused.Should().BeNull();
        roomMade.SetResult();
        host.Probe.Gate.SetResult();
        (await completedAfterRoomWasMade.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the enqueue waited until the held worker took a job off the full queue");
        var id = await waiting;
        await host.WaitForStateAsync(id, JobState.Succeeded);
    }

    [Fact]
    public async Task Waiting_enqueue_stops_when_its_token_is_cancelled_and_leaves_no_job_behind()
    {
        var host = await StartHostAsync(o => o.Concurrency = 1);
        var gate = await host.Queue.EnqueueAsync(new RecordJob("gate"));
        await host.WaitForStateAsync(gate, JobState.Running);
        await host.Queue.EnqueueAsync(new RecordJob("1"));
        await host.Queue.EnqueueAsync(new RecordJob("2"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var enqueue = async () => await host.Queue.EnqueueAsync(new RecordJob("3"), new JobOptions { IdempotencyKey = "k" }, cancel.Token);

        await enqueue.Should().ThrowAsync<OperationCanceledException>();
        host.Probe.Gate.SetResult();
        var retried = await host.Queue.EnqueueAsync(new RecordJob("3"), new JobOptions { IdempotencyKey = "k" });
        await host.WaitForStateAsync(retried, JobState.Succeeded);
    }

    [Fact]
    public async Task Stopping_the_workers_again_after_the_host_was_disposed_does_nothing()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(new JobProbe());
        builder.Services.AddStrataJobs().AddHandler<RecordJob, RecordHandler>().UseInMemory();
        var host = builder.Build();
        await host.StartAsync();
        var hostedServices = host.Services.GetServices<IHostedService>().ToList();
        await host.StopAsync();
        host.Dispose();

        foreach (var service in hostedServices)
        {
            var stopAgain = () => service.StopAsync(CancellationToken.None);
            await stopAgain.Should().NotThrowAsync($"{service.GetType().Name} is already stopped and disposed");
        }

        hostedServices.Should().Contain(service => service.GetType().Name == "JobWorker");
    }

    [Fact]
    public async Task Stopping_the_workers_twice_at_once_stops_them_once_and_both_calls_complete()
    {
        var builder = Host.CreateApplicationBuilder();
        var probe = new JobProbe();
        builder.Services.AddSingleton(probe);
        builder.Services.AddFakeLogging();
        builder.Services.AddStrataJobs(o => o.ShutdownDrainTimeout = TimeSpan.FromSeconds(30)).AddHandler<RecordJob, RecordHandler>().UseInMemory();
        var host = builder.Build();
        await host.StartAsync();
        var store = host.Services.GetRequiredService<IJobStore>();
        var logs = host.Services.GetFakeLogCollector();
        var held = await host.Services.GetRequiredService<IJobQueue>().EnqueueAsync(new RecordJob("gate"));
        await WaitUntilAsync(async () => (await store.GetAsync(held))?.State == JobState.Running);
        var worker = host.Services.GetServices<IHostedService>().Single(service => service.GetType().Name == "JobWorker");

        // As WebApplicationFactory does with a host whose Program is stopping it: two stops at once, then a dispose.
        var first = worker.StopAsync(CancellationToken.None);
        var second = worker.StopAsync(CancellationToken.None);
        var released = new TaskCompletionSource();
        var firstEndedAfterTheDrain = first.ContinueWith(_ => released.Task.IsCompleted, TaskScheduler.Default);
        var secondEndedAfterTheDrain = second.ContinueWith(_ => released.Task.IsCompleted, TaskScheduler.Default);
        await WaitUntilAsync(() => Task.FromResult(logs.GetSnapshot().Any(r => r.Id.Name == "Draining")));
        released.SetResult();
        probe.Gate.SetResult();

        (await firstEndedAfterTheDrain.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the first call drains the running job");
        (await secondEndedAfterTheDrain.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("the second call waits for the first call's drain");
        await Task.WhenAll(first, second);
        logs.GetSnapshot().Count(r => r.Id.Name == "Draining").Should().Be(1, "the workers were drained and stopped once");
        (await store.GetAsync(held))!.State.Should().Be(JobState.Succeeded, "the one drain let the running job finish");
        host.Dispose();
        await worker.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Drop_mode_records_the_dropped_job_as_dead()
    {
        var builder = Host.CreateApplicationBuilder();
        var probe = new JobProbe();
        builder.Services.AddSingleton(probe);
        builder.Services.AddStrataJobs(o => o.Concurrency = 1)
            .AddHandler<RecordJob, RecordHandler>()
            .UseInMemory(o =>
            {
                o.Capacity = 1;
                o.FullMode = BoundedChannelFullMode.DropWrite;
            });
        using var host = builder.Build();
        await host.StartAsync();
        var queue = host.Services.GetRequiredService<IJobQueue>();
        var store = host.Services.GetRequiredService<IJobStore>();

        var gate = await queue.EnqueueAsync(new RecordJob("gate"));
        await WaitUntilAsync(async () => (await store.GetAsync(gate))?.State == JobState.Running);
        var kept = await queue.EnqueueAsync(new RecordJob("kept"));
        var dropped = await queue.EnqueueAsync(new RecordJob("dropped"));

        var info = await store.GetAsync(dropped);
        info!.State.Should().Be(JobState.Dead);
        info.Error.Should().Be("The job was dropped because its queue was full.");
        probe.Gate.SetResult();
        await WaitUntilAsync(async () => (await store.GetAsync(kept))?.State == JobState.Succeeded);
        await host.StopAsync();
    }

    [Fact]
    public async Task Delayed_job_runs_only_when_the_clock_reaches_its_time()
    {
        var host = await StartHostAsync(services: s => s.AddSingleton<TimeProvider>(_time));

        var id = await host.Queue.EnqueueAsync(new EchoJob("tick"), new JobOptions { RunAt = _time.GetUtcNow().AddMinutes(5) });
        _time.Advance(TimeSpan.FromMinutes(4));
        var probe = await host.Queue.EnqueueAsync(new EchoJob("now"));
        await host.WaitForStateAsync(probe, JobState.Succeeded);

        (await host.Store.GetAsync(id))!.State.Should().Be(JobState.Scheduled);
        _time.Advance(TimeSpan.FromMinutes(1));
        var done = await host.WaitForStateAsync(id, JobState.Succeeded);
        done.StartedAt.Should().Be(_time.GetUtcNow());
    }

    [Fact]
    public async Task Finished_jobs_expire_after_the_retention_period()
    {
        var host = await StartHostAsync(o => o.RetentionPeriod = TimeSpan.FromHours(1), services: s => s.AddSingleton<TimeProvider>(_time));

        var id = await host.Queue.EnqueueAsync(new EchoJob("old"));
        await host.WaitForStateAsync(id, JobState.Succeeded);
        _time.Advance(TimeSpan.FromMinutes(59));
        (await host.Store.GetAsync(id)).Should().NotBeNull();
        _time.Advance(TimeSpan.FromMinutes(1));

        (await host.Store.GetAsync(id)).Should().BeNull();
    }

    [Fact]
    public async Task Retry_delays_grow_exponentially_within_the_jitter_and_stop_at_the_cap()
    {
        var host = await StartHostAsync(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromSeconds(1);
            o.RetryMaxDelay = TimeSpan.FromSeconds(30);
            o.RetryJitter = 0.2;
        });
        var worker = host.Services.GetServices<IHostedService>().OfType<JobWorker>().Single();

        for (var i = 0; i < 50; i++)
        {
            worker.RetryDelay(1).TotalSeconds.Should().BeInRange(0.8, 1.2);
            worker.RetryDelay(3).TotalSeconds.Should().BeInRange(3.2, 4.8);
            worker.RetryDelay(10).TotalSeconds.Should().BeInRange(24, 30);
        }
    }

    [Fact]
    public async Task Invalid_options_stop_the_host_at_start_naming_every_bad_setting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddStrataJobs(o =>
        {
            o.Concurrency = 0;
            o.RetryJitter = 2;
            o.AddQueue("bad name!");
        }).AddHandler<EchoJob, EchoHandler>();
        using var host = builder.Build();

        var start = () => host.StartAsync();

        var error = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Failures.Should().Contain(f => f.Contains("Concurrency", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("RetryJitter", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("'bad name!'", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("DefaultQueue 'default' is not among the configured queues", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_job_types_with_one_name_are_refused_with_a_clear_message()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddStrataJobs()
            .AddHandler<EchoJob, EchoHandler>("same")
            .AddHandler<RecordJob, RecordHandler>("same");
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IJobQueue>();

        resolve.Should().Throw<InvalidOperationException>().WithMessage("*are both registered as 'same'*");
    }

    [Fact]
    public async Task Host_with_workers_off_enqueues_but_runs_nothing()
    {
        var host = await StartHostAsync(o => o.RunWorkers = false, services: s => s.AddFakeLogging());
        var logs = host.Services.GetFakeLogCollector();

        var id = await host.Queue.EnqueueAsync(new EchoJob("idle"));

        // No sleep to see that nothing ran: the host says it started no workers, and started none.
        logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "NoWorkers");
        logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "WorkersStarting");
        (await host.Store.GetAsync(id))!.State.Should().Be(JobState.Queued);
        host.Probe.Runs.Should().BeEmpty();
    }
}
