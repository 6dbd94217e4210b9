using Strata.Jobs.Backends;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>What travels with a delivery, deferring one, and the oldest waiting job.</summary>
public sealed class OperationsDeliveryTests(RedisFixture redis) : OperationsTestBase(redis), IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Limit_key_survives_the_trip_through_redis_into_the_delivery()
    {
        var host = await StartProducerAsync();
        var id = host.Backend.CreateJobId("default");
        var now = DateTimeOffset.UtcNow;
        await host.Backend.EnqueueAsync(new JobEnvelope
        {
            Id = id,
            JobType = "echo",
            Queue = "default",
            Payload = "{\"Text\":\"x\"}",
            CreatedAt = now,
            EnqueuedAt = now,
            LimitKey = "partner-api",
        }, null, false, default);

        var delivery = (await host.Backend.ReceiveAsync("default", 10, default)).Single();

        delivery.Envelope.Id.Should().Be(id);
        delivery.Envelope.LimitKey.Should().Be("partner-api");
    }

    [Fact]
    public async Task A_deferred_delivery_waits_until_its_time_and_then_runs_with_the_same_attempt()
    {
        var producer = await StartProducerAsync();
        var id = await producer.Queue.EnqueueAsync(new EchoJob("held back"));
        var delivery = (await producer.Backend.ReceiveAsync("default", 10, default)).Single();
        (await producer.Store.GetAsync(id))!.State.Should().Be(JobState.Running);
        var runAt = DateTimeOffset.UtcNow.AddMilliseconds(700);

        await producer.Backend.DeferAsync(delivery, runAt, default);

        var deferred = await producer.Store.GetAsync(id);
        deferred!.State.Should().Be(JobState.Scheduled);
        deferred.Attempt.Should().Be(0, "the held-back attempt did not run");
        deferred.ScheduledFor.Should().BeCloseTo(runAt, TimeSpan.FromMilliseconds(1));
        (await SearchAllAsync(producer.Backend, new JobFilter { State = JobState.Scheduled })).Select(j => j.Id).Should().Equal(id);
        (await producer.Backend.ReceiveAsync("default", 10, default)).Should().BeEmpty("the job left the stream until its time");

        var worker = await StartHostAsync();
        var info = await worker.WaitForStateAsync(id, JobState.Succeeded);

        info.Attempt.Should().Be(delivery.Envelope.Attempt, "a deferral spends no attempt");
        info.Redeliveries.Should().Be(0, "a deferral is not a redelivery");
        info.StartedAt.Should().BeOnOrAfter(runAt.AddMilliseconds(-1));
        worker.Probe.Runs.Should().Equal("held back");
    }

    [Fact]
    public async Task Oldest_queued_is_when_the_longest_waiting_job_became_runnable()
    {
        var host = await StartProducerAsync("default", "reports");
        (await host.Backend.GetOldestQueuedAsync("default", default)).Should().BeNull();

        var first = await host.Queue.EnqueueAsync(new EchoJob("first"));
        await Task.Delay(10);
        await host.Queue.EnqueueAsync(new EchoJob("second"));
        await host.Queue.EnqueueAsync(new EchoJob("later"), new JobOptions { Delay = TimeSpan.FromHours(1) });
        var created = (await host.Store.GetAsync(first))!.CreatedAt;

        (await host.Backend.GetOldestQueuedAsync("default", default)).Should().BeCloseTo(created, TimeSpan.FromMilliseconds(1));
        (await host.Backend.GetOldestQueuedAsync("reports", default)).Should().BeNull();

        // Taken by a worker, the first no longer waits.
        await host.Backend.ReceiveAsync("default", 1, default);
        var secondCreated = (await SearchAllAsync(host.Backend, new JobFilter { State = JobState.Queued })).Single().CreatedAt;
        (await host.Backend.GetOldestQueuedAsync("default", default)).Should().BeCloseTo(secondCreated, TimeSpan.FromMilliseconds(1));
    }
}
