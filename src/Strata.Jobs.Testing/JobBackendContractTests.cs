using Strata.Jobs.Backends;
using Xunit;

namespace Strata.Jobs.Testing;

/// <summary>
/// The behaviour every job backend must show, through the public API only. Derive from this class in your backend's
/// test project and select the backend in <see cref="JobBackendTestBase.UseBackend"/>; every inherited fact then runs
/// against it, on the real store the backend uses. A backend whose jobs outlive the host
/// (<see cref="IJobBackend.JobsLiveInProcess"/> false) is also checked to hand them to the next host.
/// </summary>
public abstract partial class JobBackendContractTests : JobBackendTestBase
{
    /// <summary>A job's enqueue, run, progress and result show in its status.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Enqueued_job_runs_and_its_status_shows_result_and_progress()
    {
        var host = await StartHostAsync();

        var id = await host.Queue.EnqueueAsync(new EchoJob("hello"));
        var info = await host.WaitForStateAsync(id, JobState.Succeeded);

        Assert.Equal(nameof(EchoJob), info.JobType);
        Assert.Equal("default", info.Queue);
        Assert.Equal(1, info.Attempt);
        Assert.Equal(50, info.Progress);
        Assert.Equal("halfway", info.ProgressMessage);
        Assert.NotNull(info.Result);
        Assert.Equal("HELLO", info.Result!.Value.GetProperty("upper").GetString());
        Assert.NotNull(info.StartedAt);
        Assert.NotNull(info.CompletedAt);
        Assert.True(info.CompletedAt >= info.StartedAt, $"completed at {info.CompletedAt:O}, before its start at {info.StartedAt:O}");
        Assert.Null(info.Error);
        Assert.Equal(new[] { "hello" }, host.Probe.Runs);
    }

    /// <summary>Handlers come from a scope of their own, one per job.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Each_job_gets_its_handler_from_a_fresh_scope()
    {
        var host = await StartHostAsync();

        var first = await host.Queue.EnqueueAsync(new ScopedJob("1"));
        var second = await host.Queue.EnqueueAsync(new ScopedJob("2"));
        await host.WaitForStateAsync(first, JobState.Succeeded);
        await host.WaitForStateAsync(second, JobState.Succeeded);

        var scopes = host.Probe.Scopes.ToArray();
        Assert.Equal(2, scopes.Length);
        Assert.Equal(2, scopes.Distinct().Count());
    }

    /// <summary>A failing job runs again until it succeeds.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Failing_job_is_retried_until_it_succeeds()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 5);

        var id = await host.Queue.EnqueueAsync(new FlakyJob("k", FailTimes: 2));
        var info = await host.WaitForStateAsync(id, JobState.Succeeded);

        Assert.Equal(3, info.Attempt);
        Assert.Equal(3, host.Probe.Attempts["k"]);
    }

    /// <summary>The last failed attempt dead-letters the job, with an error that leaks nothing; requeue runs it again.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Job_failing_every_attempt_is_dead_lettered_with_a_safe_error_and_can_be_requeued()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 3);

        var id = await host.Queue.EnqueueAsync(new FlakyJob("k", FailTimes: 3));
        var dead = await host.WaitForStateAsync(id, JobState.Dead);

        Assert.Equal(3, dead.Attempt);
        Assert.Equal("The handler failed with InvalidOperationException.", dead.Error);
        Assert.DoesNotContain("hunter2", dead.Error, StringComparison.Ordinal);
        Assert.Equal(3, host.Probe.Attempts["k"]);

        Assert.True(await host.Queue.RequeueAsync(id), "a dead job can be requeued");
        var again = await host.WaitForStateAsync(id, JobState.Succeeded);
        Assert.Equal(1, again.Attempt);
        Assert.Equal(4, host.Probe.Attempts["k"]);
    }

    /// <summary>Only dead jobs can be requeued.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Requeue_of_a_job_that_is_not_dead_is_refused()
    {
        var host = await StartHostAsync();
        var id = await host.Queue.EnqueueAsync(new EchoJob("x"));
        await host.WaitForStateAsync(id, JobState.Succeeded);

        Assert.False(await host.Queue.RequeueAsync(id), "a succeeded job is not requeued");
        Assert.False(await host.Queue.RequeueAsync("default.0123456789abcdef0123456789abcdef"), "an unknown job is not requeued");
    }

    /// <summary><see cref="JobsOptions.RetryOn"/> that refuses an exception dead-letters at the first failure.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Exception_filter_sends_a_non_retryable_failure_to_dead_letters_at_once()
    {
        var host = await StartHostAsync(o =>
        {
            o.MaxAttempts = 5;
            o.RetryOn = ex => ex is not InvalidOperationException;
        });

        var id = await host.Queue.EnqueueAsync(new FlakyJob("k", FailTimes: 5));
        var dead = await host.WaitForStateAsync(id, JobState.Dead);

        Assert.Equal(1, dead.Attempt);
        Assert.Equal(1, host.Probe.Attempts["k"]);
    }

    /// <summary>A <see cref="JobFailedException"/> that is not retryable dead-letters at once, with its own message.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task JobFailedException_that_is_not_retryable_dead_letters_with_its_own_message()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 5);

        var id = await host.Queue.EnqueueAsync(new RejectedJob("r1"));
        var dead = await host.WaitForStateAsync(id, JobState.Dead);

        Assert.Equal(1, dead.Attempt);
        Assert.Equal("Job r1 has an unsupported format.", dead.Error);
    }

    /// <summary>A delayed job is scheduled, then runs once due.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Delayed_job_is_scheduled_first_and_runs_after_its_time()
    {
        var host = await StartHostAsync();
        var before = TimeProvider.System.GetUtcNow();

        // The delay leaves a loaded machine ample time to read the status before the job comes due.
        var id = await host.Queue.EnqueueAsync(new EchoJob("later"), new JobOptions { Delay = TimeSpan.FromMilliseconds(1500) });
        var scheduled = await host.Store.GetAsync(id);

        Assert.NotNull(scheduled);
        Assert.Equal(JobState.Scheduled, scheduled!.State);
        Assert.NotNull(scheduled.ScheduledFor);
        Assert.True(scheduled.ScheduledFor >= before.AddMilliseconds(1499), $"scheduled for {scheduled.ScheduledFor:O}, before {before.AddMilliseconds(1499):O} (stores may keep whole milliseconds)");
        var done = await host.WaitForStateAsync(id, JobState.Succeeded);
        Assert.NotNull(done.StartedAt);
        Assert.True(done.StartedAt >= scheduled.ScheduledFor!.Value.AddMilliseconds(-50), $"started at {done.StartedAt:O}, before its time {scheduled.ScheduledFor:O}");
    }

    /// <summary>An idempotency key used twice gives the first job's id and one run.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Same_idempotency_key_twice_gives_one_job()
    {
        var host = await StartHostAsync();

        var first = await host.Queue.EnqueueAsync(new EchoJob("once"), new JobOptions { IdempotencyKey = "order-42" });
        var second = await host.Queue.EnqueueAsync(new EchoJob("once"), new JobOptions { IdempotencyKey = "order-42" });
        var other = await host.Queue.EnqueueAsync(new EchoJob("other"), new JobOptions { IdempotencyKey = "order-43" });

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        await host.WaitForStateAsync(first, JobState.Succeeded);
        await host.WaitForStateAsync(other, JobState.Succeeded);
        Assert.Equal(1, host.Probe.Runs.Count(r => r == "once"));
    }

    /// <summary>An attempt that outlives its timeout fails, and its handler's token fires.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Attempt_past_its_timeout_fails_and_its_token_fires()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 2);

        var id = await host.Queue.EnqueueAsync(new BlockingJob("t"), new JobOptions { Timeout = TimeSpan.FromMilliseconds(100) });
        var dead = await host.WaitForStateAsync(id, JobState.Dead);

        Assert.Equal(2, dead.Attempt);
        Assert.StartsWith("The attempt timed out after", dead.Error, StringComparison.Ordinal);
        Assert.Contains("t", host.Probe.TokensFired);
    }

    /// <summary>A handler that ignores its token is left behind; the worker goes on.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Handler_that_hangs_past_its_timeout_is_abandoned_and_the_worker_keeps_running()
    {
        var host = await StartHostAsync(o =>
        {
            o.MaxAttempts = 1;
            o.Concurrency = 1;
        });

        var hung = await host.Queue.EnqueueAsync(new HangingJob("h"), new JobOptions { Timeout = TimeSpan.FromMilliseconds(100) });
        var dead = await host.WaitForStateAsync(hung, JobState.Dead);
        var next = await host.Queue.EnqueueAsync(new EchoJob("after"));

        Assert.StartsWith("The attempt timed out after", dead.Error, StringComparison.Ordinal);
        await host.WaitForStateAsync(next, JobState.Succeeded);
    }

    /// <summary>A waiting job that is cancelled never runs.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Cancelling_a_waiting_job_marks_it_cancelled_and_it_never_runs()
    {
        var host = await StartHostAsync();

        // The delay leaves a loaded machine ample time to cancel before the job comes due; the probe comes due after it.
        var id = await host.Queue.EnqueueAsync(new EchoJob("never"), new JobOptions { Delay = TimeSpan.FromMilliseconds(1500) });
        Assert.True(await host.Queue.CancelAsync(id), "a waiting job can be cancelled");
        var probe = await host.Queue.EnqueueAsync(new EchoJob("probe"), new JobOptions { Delay = TimeSpan.FromMilliseconds(1800) });
        await host.WaitForStateAsync(probe, JobState.Succeeded);

        Assert.Equal(JobState.Cancelled, (await host.Store.GetAsync(id))!.State);
        Assert.DoesNotContain("never", host.Probe.Runs);
        Assert.False(await host.Queue.CancelAsync(id), "a cancelled job cannot be cancelled again");
    }

    /// <summary>Cancelling a running job fires its handler's token.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Cancelling_a_running_job_fires_its_token_and_records_cancelled()
    {
        var host = await StartHostAsync();

        var id = await host.Queue.EnqueueAsync(new BlockingJob("c"));
        await host.Probe.WaitStartedAsync("c");
        await host.WaitForStateAsync(id, JobState.Running);
        Assert.True(await host.Queue.CancelAsync(id), "a running job can be cancelled");

        var info = await host.WaitForStateAsync(id, JobState.Cancelled);
        Assert.NotNull(info.CompletedAt);
        Assert.Contains("c", host.Probe.TokensFired);
    }

    /// <summary>A stored job of a type this host has no handler for is dead-lettered.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Job_type_without_a_handler_is_dead_lettered_and_the_worker_keeps_running()
    {
        var host = await StartHostAsync();

        var id = await EnqueueRawAsync(host, "NoSuchJob", "{}");
        var dead = await host.WaitForStateAsync(id, JobState.Dead);
        var next = await host.Queue.EnqueueAsync(new EchoJob("still alive"));

        Assert.Equal("No handler is registered for job type 'NoSuchJob'.", dead.Error);
        await host.WaitForStateAsync(next, JobState.Succeeded);
    }

    /// <summary>A stored payload that does not read as its type is dead-lettered, naming where it broke.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Payload_that_does_not_deserialize_is_dead_lettered_and_the_worker_keeps_running()
    {
        var host = await StartHostAsync();

        var id = await EnqueueRawAsync(host, nameof(EchoJob), "{\"text\": {\"nested\": true}}");
        var dead = await host.WaitForStateAsync(id, JobState.Dead);
        var next = await host.Queue.EnqueueAsync(new EchoJob("still alive"));

        Assert.Equal("The payload could not be read as job type 'EchoJob' at $.text.", dead.Error);
        await host.WaitForStateAsync(next, JobState.Succeeded);
    }

    /// <summary>An owner-scoped read finds only the owner's jobs.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Owner_sees_only_its_own_jobs()
    {
        var host = await StartHostAsync();

        var id = await host.Queue.EnqueueAsync(new EchoJob("mine"), new JobOptions { Owner = "key-1" });
        await host.WaitForStateAsync(id, JobState.Succeeded);

        Assert.Equal("key-1", (await host.Store.GetForOwnerAsync(id, "key-1"))!.Owner);
        Assert.Null(await host.Store.GetForOwnerAsync(id, "key-2"));
        Assert.Null(await host.Store.GetForOwnerAsync(id, null));
    }

    /// <summary>Unknown ids have no status and cannot be cancelled.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Unknown_job_id_has_no_status()
    {
        var host = await StartHostAsync();

        Assert.Null(await host.Store.GetAsync("default.0123456789abcdef0123456789abcdef"));
        Assert.Null(await host.Store.GetAsync("not an id at all"));
        Assert.False(await host.Queue.CancelAsync("nope"), "an unknown job cannot be cancelled");
    }

    /// <summary>Enqueue refuses what it cannot store, saying why.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Enqueue_of_an_unregistered_type_or_to_an_unknown_queue_throws_a_clear_exception()
    {
        var host = await StartHostAsync();

        var unregistered = await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await host.Queue.EnqueueAsync(new Uri("http://example.invalid")));
        var unknownQueue = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await host.Queue.EnqueueAsync(new EchoJob("x"), new JobOptions { Queue = "nope" }));

        Assert.Contains("System.Uri is not registered", unregistered.Message, StringComparison.Ordinal);
        Assert.Contains("Queue 'nope' is not configured", unknownQueue.Message, StringComparison.Ordinal);
    }
}
