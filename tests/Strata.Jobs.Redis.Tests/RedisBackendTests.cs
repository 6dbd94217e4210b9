using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>What only the Redis backend does: streams, consumer groups, leases, hash tags, Pub/Sub.</summary>
public sealed class RedisBackendTests(RedisFixture redis) : JobBackendTestBase, IClassFixture<RedisFixture>
{
    private readonly string _prefix = RedisFixture.UniquePrefix();
    private Action<RedisJobsOptions>? _configure;

    private IDatabase Db => redis.Connection.GetDatabase();

    protected override void UseBackend(JobsBuilder builder)
    {
        builder.Services.AddSingleton(redis.Connection);
        builder.UseRedis(o =>
        {
            o.KeyPrefix = _prefix;
            o.PollInterval = TimeSpan.FromMilliseconds(500);
            _configure?.Invoke(o);
        });
    }

    [Fact]
    public async Task Every_key_of_a_queue_carries_the_queue_as_hash_tag()
    {
        var host = await StartHostAsync(o => o.AddQueue("default").AddQueue("reports"));

        var done = await host.Queue.EnqueueAsync(new EchoJob("a"), new JobOptions { Queue = "reports", IdempotencyKey = "k" });
        await host.Queue.EnqueueAsync(new EchoJob("b"), new JobOptions { Queue = "reports", Delay = TimeSpan.FromHours(1) });
        var dead = await host.Queue.EnqueueAsync(new RejectedJob("c"), new JobOptions { Queue = "reports" });
        await host.WaitForStateAsync(done, JobState.Succeeded);
        await host.WaitForStateAsync(dead, JobState.Dead);

        var keys = await KeysAsync(_prefix + "*");
        keys.Where(k => k.Contains("{reports}", StringComparison.Ordinal)).Select(k => k[(k.IndexOf('}') + 2)..].Split(':')[0])
            .Distinct().Should().BeEquivalentTo(["stream", "delayed", "dead", "job", "idem", "idle", "ix"]);
        keys.Should().OnlyContain(k => k.StartsWith(_prefix + "{", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Completed_entries_leave_the_work_stream_and_only_the_dead_letter_stream_is_trimmed()
    {
        _configure = o => o.DeadLetterMaxLength = 10;
        var host = await StartHostAsync(o => o.Concurrency = 8);

        var ids = new List<string>();
        for (var i = 0; i < 250; i++)
        {
            ids.Add(await host.Queue.EnqueueAsync(new RejectedJob($"r{i}")));
        }

        foreach (var id in ids)
        {
            await host.WaitForStateAsync(id, JobState.Dead);
        }

        (await Db.StreamLengthAsync(_prefix + "{default}:stream")).Should().Be(0, "acknowledged entries are deleted, none is trimmed away unprocessed");
        (await Db.StreamLengthAsync(_prefix + "{default}:dead")).Should().BeLessThan(250, "the dead-letter stream is capped (approximately)");
    }

    [Fact]
    public async Task Heartbeat_keeps_a_job_running_past_its_lease_owned_by_its_worker()
    {
        // Heartbeats every second; a second host reclaims entries idle for 3 s. The margin (2 s of a stalled
        // heartbeat loop) keeps a loaded machine from passing for a crashed worker; the job runs past two leases.
        _configure = o => o.LeaseTime = TimeSpan.FromSeconds(3);
        var probe = new JobProbe();
        var first = await StartHostAsync(probe: probe);
        await StartHostAsync(probe: probe);

        var id = await first.Queue.EnqueueAsync(new SlowJob("long", 7000));
        var info = await first.WaitForStateAsync(id, JobState.Succeeded);

        probe.Runs.Count(r => r == "long").Should().Be(1, "no other worker reclaimed the job while it ran");
        info.Redeliveries.Should().Be(0);
    }

    [Fact]
    public async Task Entry_of_a_worker_that_vanished_is_reclaimed_after_the_lease_and_counted_as_a_redelivery()
    {
        // A lease well above a heartbeat stall on a loaded machine, so the worker never reclaims its own entry.
        _configure = o => o.LeaseTime = TimeSpan.FromMilliseconds(1500);
        var producer = await StartHostAsync(o => o.RunWorkers = false);
        var id = await producer.Queue.EnqueueAsync(new EchoJob("orphan"));
        await Db.StreamCreateConsumerGroupAsync(_prefix + "{default}:stream", "strata-workers", "0");
        var stolen = await Db.StreamReadGroupAsync(_prefix + "{default}:stream", "strata-workers", "crashed-worker", ">", 10);
        stolen.Should().ContainSingle("the vanished worker took the job and will never acknowledge it");

        var worker = await StartHostAsync();
        var info = await worker.WaitForStateAsync(id, JobState.Succeeded);

        info.Redeliveries.Should().Be(1);
        info.Attempt.Should().Be(1, "a crash redelivery is not a failed attempt");
    }

    [Fact]
    public async Task Entry_delivered_more_than_the_maximum_is_dead_lettered_without_running()
    {
        _configure = o =>
        {
            o.LeaseTime = TimeSpan.FromMilliseconds(300);
            o.MaxDeliveries = 2;
        };
        var producer = await StartHostAsync(o => o.RunWorkers = false);
        var id = await producer.Queue.EnqueueAsync(new EchoJob("poison"));
        var stream = _prefix + "{default}:stream";
        await Db.StreamCreateConsumerGroupAsync(stream, "strata-workers", "0");
        await Db.StreamReadGroupAsync(stream, "strata-workers", "crash-1", ">", 10);

        // The claim below takes only an entry idle for a lease (300 ms): wait until the server counts it so.
        StreamPendingMessageInfo[] pending = [];
        await WaitUntilAsync(async () => (pending = await Db.StreamPendingMessagesAsync(stream, "strata-workers", 10, RedisValue.Null)) is [{ IdleTimeInMilliseconds: >= 300 }]);
        await Db.StreamClaimAsync(stream, "strata-workers", "crash-2", 300, [pending[0].MessageId]);

        var worker = await StartHostAsync();
        var info = await worker.WaitForStateAsync(id, JobState.Dead);

        info.Error.Should().Be("The job was delivered 3 times without finishing; the workers running it stopped (crashed or were killed).");
        info.Redeliveries.Should().Be(2);
        worker.Probe.Runs.Should().BeEmpty();
        (await worker.Queue.RequeueAsync(id)).Should().BeTrue();
        await worker.WaitForStateAsync(id, JobState.Succeeded);
    }

    [Fact]
    public async Task Cancel_from_another_host_reaches_the_running_handler_through_PubSub()
    {
        var worker = await StartHostAsync();
        var api = await StartHostAsync(o => o.RunWorkers = false);

        var id = await api.Queue.EnqueueAsync(new BlockingJob("remote"));
        await worker.Probe.WaitStartedAsync("remote");
        await api.WaitForStateAsync(id, JobState.Running);
        (await api.Queue.CancelAsync(id)).Should().BeTrue();

        await api.WaitForStateAsync(id, JobState.Cancelled);
        worker.Probe.TokensFired.Should().Contain("remote");
    }

    [Fact]
    public async Task Job_interrupted_by_shutdown_is_given_back_and_another_worker_finishes_it()
    {
        // The gated job cannot finish before the gate opens, however slow the machine: shutdown must interrupt it.
        var probe = new JobProbe();
        var leaving = await StartHostAsync(o => o.ShutdownDrainTimeout = TimeSpan.FromMilliseconds(100), probe: probe);
        var id = await leaving.Queue.EnqueueAsync(new RecordJob("gate"));
        await leaving.WaitForStateAsync(id, JobState.Running);
        await leaving.StopAsync();
        (await leaving.Store.GetAsync(id))!.State.Should().Be(JobState.Queued);
        probe.Runs.Should().BeEmpty("the interrupted run did not get past the gate");
        probe.Gate.SetResult();

        var staying = await StartHostAsync(probe: probe);
        var info = await staying.WaitForStateAsync(id, JobState.Succeeded);

        info.Attempt.Should().Be(1, "an interrupted attempt is not a failed one");
        info.Redeliveries.Should().Be(0, "the job was handed back, not reclaimed after a crash");
        probe.Runs.Should().ContainSingle().Which.Should().Be("gate");
    }

    [Fact]
    public async Task Cancel_request_whose_PubSub_message_was_missed_is_picked_up_by_the_heartbeat()
    {
        _configure = o => o.LeaseTime = TimeSpan.FromMilliseconds(600);
        var host = await StartHostAsync();
        var id = await host.Queue.EnqueueAsync(new BlockingJob("missed"));
        await host.Probe.WaitStartedAsync("missed");
        await host.WaitForStateAsync(id, JobState.Running);

        // What cancel.lua does, without the Pub/Sub message.
        await Db.HashSetAsync(_prefix + "{default}:job:" + id, "cancel", "1");

        await host.WaitForStateAsync(id, JobState.Cancelled);
        host.Probe.TokensFired.Should().Contain("missed");
    }

    [Fact]
    public async Task Consumers_of_stopped_hosts_are_removed_once_idle_with_nothing_pending()
    {
        _configure = o => o.LeaseTime = TimeSpan.FromMilliseconds(300);
        var stream = _prefix + "{default}:stream";
        await Db.StreamCreateConsumerGroupAsync(stream, "strata-workers", "0", createStream: true);

        // A read of an empty stream makes no consumer (Redis 7.0), which left nothing to remove: create it outright.
        await Db.ExecuteAsync("XGROUP", "CREATECONSUMER", stream, "strata-workers", "gone-host");

        // The gone host's consumer has been idle for ten leases (3 s) by the server's count, not by a sleep's guess.
        await WaitUntilAsync(async () => (await Db.StreamConsumerInfoAsync(stream, "strata-workers")).Single(c => c.Name == "gone-host").IdleTimeInMilliseconds > 3000);

        await StartHostAsync();

        await WaitUntilAsync(async () => (await Db.StreamConsumerInfoAsync(stream, "strata-workers")).All(c => c.Name != "gone-host"));
    }

    [Fact]
    public async Task Idle_workers_are_woken_by_PubSub_not_by_polling()
    {
        _configure = o => o.PollInterval = TimeSpan.FromHours(1);
        var host = await StartHostAsync();

        // A wake-up published before the worker subscribed would be lost (and the next poll is an hour away):
        // wait until the server counts the subscription and the worker has announced itself idle, about to wait.
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        await WaitUntilAsync(async () => await server.SubscriptionSubscriberCountAsync(RedisChannel.Literal(_prefix + "{default}:wake")) >= 1);
        await WaitUntilAsync(async () => await Db.SortedSetLengthAsync(_prefix + "{default}:idle") == 1);

        var id = await host.Queue.EnqueueAsync(new EchoJob("wake"));

        await host.WaitForStateAsync(id, JobState.Succeeded);
    }

    [Fact]
    public async Task An_idle_worker_announces_itself_in_the_idle_set_for_two_poll_intervals_so_enqueues_wake_it()
    {
        _configure = o => o.PollInterval = TimeSpan.FromMinutes(10);
        var host = await StartHostAsync();
        var idle = _prefix + "{default}:idle";

        await WaitUntilAsync(async () => await Db.SortedSetLengthAsync(idle) == 1);
        var until = DateTimeOffset.FromUnixTimeMilliseconds((long)(await Db.SortedSetRangeByRankWithScoresAsync(idle))[0].Score);
        until.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(19)).And.BeBefore(DateTimeOffset.UtcNow.AddMinutes(21));

        var id = await host.Queue.EnqueueAsync(new EchoJob("wake"));
        await host.WaitForStateAsync(id, JobState.Succeeded);
    }

    [Fact]
    public async Task Finished_job_status_expires_after_the_retention_period()
    {
        var host = await StartHostAsync(o => o.RetentionPeriod = TimeSpan.FromMilliseconds(1500));

        var id = await host.Queue.EnqueueAsync(new EchoJob("short-lived"));
        await host.WaitForStateAsync(id, JobState.Succeeded);
        var ttl = await Db.KeyTimeToLiveAsync(_prefix + "{default}:job:" + id);

        ttl.Should().NotBeNull();
        ttl!.Value.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromMilliseconds(1500));
        await WaitUntilAsync(async () => await host.Store.GetAsync(id) is null);
    }

    [Fact]
    public async Task Idempotency_key_expires_in_redis_after_its_lifetime()
    {
        var host = await StartHostAsync(o => o.IdempotencyKeyLifetime = TimeSpan.FromMinutes(10));

        var id = await host.Queue.EnqueueAsync(new EchoJob("once"), new JobOptions { IdempotencyKey = "order-7" });
        var key = _prefix + "{default}:idem:order-7";

        ((string?)await Db.StringGetAsync(key)).Should().Be(id);
        var ttl = await Db.KeyTimeToLiveAsync(key);
        ttl.Should().NotBeNull("an idempotency key that never expires would refuse the same key forever");
        ttl!.Value.Should().BeGreaterThan(TimeSpan.FromMinutes(9)).And.BeLessThanOrEqualTo(TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Stream_entry_that_is_not_an_envelope_goes_to_the_dead_letter_stream_and_the_worker_keeps_running()
    {
        var host = await StartHostAsync();
        await Db.StreamAddAsync(_prefix + "{default}:stream", "e", "{not json");

        var next = await host.Queue.EnqueueAsync(new EchoJob("after garbage"));

        await host.WaitForStateAsync(next, JobState.Succeeded);
        await WaitUntilAsync(async () => await Db.StreamLengthAsync(_prefix + "{default}:dead") == 1);
    }

    [Fact]
    public async Task Invalid_redis_options_stop_the_host_at_start()
    {
        _configure = o =>
        {
            o.LeaseTime = TimeSpan.FromMilliseconds(10);
            o.MaxDeliveries = 0;
        };

        var start = () => StartHostAsync();

        var error = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Failures.Should().Contain(f => f.Contains("LeaseTime", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("MaxDeliveries", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Host_without_a_redis_connection_stops_at_start_saying_how_to_give_one()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddStrataJobs().AddHandler<EchoJob, EchoHandler>().UseRedis();
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Failures
            .Should().Contain(f => f.Contains("RedisJobsOptions has no connection: pass one to AddStrataJobs().UseRedis(...)", StringComparison.Ordinal)
                && f.Contains("register an IConnectionMultiplexer in DI", StringComparison.Ordinal));
    }

    private async Task<string[]> KeysAsync(string pattern)
    {
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: pattern))
        {
            keys.Add(key.ToString());
        }

        return [.. keys];
    }
}
