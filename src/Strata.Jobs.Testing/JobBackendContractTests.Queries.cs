using Xunit;

namespace Strata.Jobs.Testing;

/// <summary>The query part of the contract: search with cursor paging, counts, the oldest waiting job, bulk requeue and delete.</summary>
public abstract partial class JobBackendContractTests
{
    private static readonly TimeSpan Later = TimeSpan.FromHours(1);

    /// <summary>Pages come newest first and the cursor walks every job once, also while newer jobs arrive.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Search_pages_newest_first_and_the_cursor_visits_each_job_once_while_jobs_arrive()
    {
        var host = await StartHostAsync();
        var owner = NewOwner();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await host.Queue.EnqueueAsync(new EchoJob($"p{i}"), new JobOptions { Owner = owner, Delay = Later }));
        }

        var filter = new JobFilter { Owner = owner };
        var seen = new List<JobInfo>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await host.Backend.SearchAsync(filter, cursor, 3, CancellationToken.None);
            Assert.True(page.Jobs.Count <= 3, $"a page of limit 3 held {page.Jobs.Count} jobs");
            seen.AddRange(page.Jobs);
            cursor = page.NextCursor;
            pages++;

            // Newer than every job the walk has passed: never on a later page.
            await host.Queue.EnqueueAsync(new EchoJob($"late{pages}"), new JobOptions { Owner = owner, Delay = Later });
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(ids.OrderBy(i => i, StringComparer.Ordinal), seen.Select(j => j.Id).OrderBy(i => i, StringComparer.Ordinal));
        for (var i = 1; i < seen.Count; i++)
        {
            var (newer, older) = (seen[i - 1], seen[i]);
            Assert.True(
                newer.CreatedAt > older.CreatedAt || (newer.CreatedAt == older.CreatedAt && string.CompareOrdinal(newer.Id, older.Id) > 0),
                $"{newer.Id} ({newer.CreatedAt:O}) came before {older.Id} ({older.CreatedAt:O}): not newest first");
        }

        Assert.All(seen, j => Assert.Equal(owner, j.Owner));
        Assert.All(seen, j => Assert.Equal(JobState.Scheduled, j.State));
    }

    /// <summary>Each filter narrows the search to the jobs that match it.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Search_filters_by_state_queue_type_owner_and_creation_time()
    {
        var host = await StartHostAsync(o =>
        {
            o.MaxAttempts = 1;
            o.AddQueue("default").AddQueue("reports");
        });
        var owner = NewOwner();
        var other = NewOwner();
        var echo = await host.Queue.EnqueueAsync(new EchoJob("a"), new JobOptions { Owner = owner, Delay = Later });
        var record = await host.Queue.EnqueueAsync(new RecordJob("b"), new JobOptions { Owner = owner, Delay = Later, Queue = "reports" });
        var dead = await host.Queue.EnqueueAsync(new FlakyJob(NewOwner(), FailTimes: 1), new JobOptions { Owner = owner });
        await host.WaitForStateAsync(dead, JobState.Dead);
        await Task.Delay(50);
        var between = TimeProvider.System.GetUtcNow();
        await Task.Delay(50);
        var last = await host.Queue.EnqueueAsync(new EchoJob("c"), new JobOptions { Owner = owner, Delay = Later });
        var foreign = await host.Queue.EnqueueAsync(new EchoJob("d"), new JobOptions { Owner = other, Delay = Later });

        async Task<string[]> FindAsync(JobFilter filter)
        {
            var page = await host.Backend.SearchAsync(filter, null, 100, CancellationToken.None);
            return [.. page.Jobs.Select(j => j.Id).Order(StringComparer.Ordinal)];
        }

        string[] Ids(params string[] ids) => [.. ids.Order(StringComparer.Ordinal)];

        Assert.Equal(Ids(echo, record, dead, last), await FindAsync(new JobFilter { Owner = owner }));
        Assert.Equal(Ids(dead), await FindAsync(new JobFilter { Owner = owner, State = JobState.Dead }));
        Assert.Equal(Ids(record), await FindAsync(new JobFilter { Owner = owner, Queue = "reports" }));
        Assert.Equal(Ids(echo, last), await FindAsync(new JobFilter { Owner = owner, JobType = nameof(EchoJob) }));
        Assert.Equal(Ids(last), await FindAsync(new JobFilter { Owner = owner, CreatedAfter = between }));
        Assert.Equal(Ids(echo, record, dead), await FindAsync(new JobFilter { Owner = owner, CreatedBefore = between }));
        Assert.Equal(Ids(last, foreign), await FindAsync(new JobFilter { CreatedAfter = between }));
        Assert.Empty(await FindAsync(new JobFilter { Owner = owner, State = JobState.Running }));

        var deadJob = Assert.Single((await host.Backend.SearchAsync(new JobFilter { State = JobState.Dead }, null, 10, CancellationToken.None)).Jobs);
        Assert.Equal("The handler failed with InvalidOperationException.", deadJob.Error);
        Assert.Equal(1, deadJob.Attempt);
    }

    /// <summary>A cursor the backend did not make is refused with an exception naming the parameter.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Search_refuses_a_cursor_it_did_not_make()
    {
        var host = await StartHostAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () =>
            await host.Backend.SearchAsync(new JobFilter(), "not a cursor", 10, CancellationToken.None));

        Assert.Equal("cursor", error.ParamName);
    }

    /// <summary>Counts are exact per queue and state; the oldest waiting job is found per queue.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Counts_per_queue_and_state_and_the_oldest_waiting_job()
    {
        var host = await StartHostAsync(o =>
        {
            o.Concurrency = 1;
            o.MaxAttempts = 1;
            o.AddQueue("default").AddQueue("reports");
        });
        await host.Queue.EnqueueAsync(new EchoJob("s1"), new JobOptions { Delay = Later, Queue = "reports" });
        await host.Queue.EnqueueAsync(new EchoJob("s2"), new JobOptions { Delay = Later, Queue = "reports" });
        var dead = await host.Queue.EnqueueAsync(new FlakyJob(NewOwner(), FailTimes: 1));
        await host.WaitForStateAsync(dead, JobState.Dead);
        Assert.Null(await host.Backend.GetOldestQueuedAsync("default", CancellationToken.None));

        // The only worker is held by a blocking job, so the next two wait.
        var blocking = await host.Queue.EnqueueAsync(new BlockingJob("b"));
        await host.Probe.WaitStartedAsync("b");
        var before = TimeProvider.System.GetUtcNow();
        await host.Queue.EnqueueAsync(new EchoJob("q1"));
        var after = TimeProvider.System.GetUtcNow();
        await host.Queue.EnqueueAsync(new EchoJob("q2"));

        var counts = (await host.Backend.CountAsync(CancellationToken.None))
            .Where(c => c.Count > 0)
            .ToDictionary(c => (c.Queue, c.State), c => c.Count);
        Assert.Equal(2, counts[("reports", JobState.Scheduled)]);
        Assert.Equal(1, counts[("default", JobState.Dead)]);
        Assert.Equal(1, counts[("default", JobState.Running)]);
        Assert.Equal(2, counts[("default", JobState.Queued)]);
        Assert.Equal(4, counts.Count);

        var oldest = await host.Backend.GetOldestQueuedAsync("default", CancellationToken.None);
        Assert.NotNull(oldest);
        Assert.InRange(oldest!.Value, before.AddMilliseconds(-5), after.AddMilliseconds(5));
        Assert.Null(await host.Backend.GetOldestQueuedAsync("reports", CancellationToken.None));
        Assert.True(await host.Queue.CancelAsync(blocking));
    }

    /// <summary>Bulk requeue takes every dead job matching the filter, reports how many, and is safe to repeat.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Bulk_requeue_takes_the_matching_dead_jobs_once_and_counts_them()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 1);
        var owner = NewOwner();
        var dead = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            dead.Add(await host.Queue.EnqueueAsync(new FlakyJob($"{owner}-{i}", FailTimes: 1), new JobOptions { Owner = owner }));
        }

        var otherDead = await host.Queue.EnqueueAsync(new FlakyJob(NewOwner(), FailTimes: 1));
        var succeeded = await host.Queue.EnqueueAsync(new EchoJob("ok"), new JobOptions { Owner = owner });
        foreach (var id in dead.Append(otherDead))
        {
            await host.WaitForStateAsync(id, JobState.Dead);
        }

        await host.WaitForStateAsync(succeeded, JobState.Succeeded);

        Assert.Equal(3, await host.Backend.RequeueManyAsync(new JobFilter { Owner = owner }, CancellationToken.None));
        foreach (var id in dead)
        {
            var info = await host.WaitForStateAsync(id, JobState.Succeeded);
            Assert.Equal(1, info.Attempt);
        }

        Assert.Equal(0, await host.Backend.RequeueManyAsync(new JobFilter { Owner = owner }, CancellationToken.None));
        Assert.Equal(JobState.Dead, (await host.Store.GetAsync(otherDead))!.State);
        Assert.Equal(1, await host.Backend.RequeueManyAsync(new JobFilter { State = JobState.Dead }, CancellationToken.None));
        await host.WaitForStateAsync(otherDead, JobState.Succeeded);
    }

    /// <summary>Deleting forgets a finished job and frees its idempotency key; an unfinished job is not deleted.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Delete_forgets_a_finished_job_and_frees_its_idempotency_key_but_leaves_waiting_jobs()
    {
        var host = await StartHostAsync();
        var key = NewOwner();
        var done = await host.Queue.EnqueueAsync(new EchoJob("x"), new JobOptions { IdempotencyKey = key });
        await host.WaitForStateAsync(done, JobState.Succeeded);
        var waiting = await host.Queue.EnqueueAsync(new EchoJob("y"), new JobOptions { Delay = Later });

        Assert.True(await host.Backend.DeleteAsync(done, CancellationToken.None));
        Assert.Null(await host.Store.GetAsync(done));
        Assert.False(await host.Backend.DeleteAsync(done, CancellationToken.None), "a deleted job is unknown");
        Assert.False(await host.Backend.DeleteAsync(waiting, CancellationToken.None), "a waiting job is not deleted");
        Assert.Equal(JobState.Scheduled, (await host.Store.GetAsync(waiting))!.State);

        var again = await host.Queue.EnqueueAsync(new EchoJob("x"), new JobOptions { IdempotencyKey = key });
        Assert.NotEqual(done, again);
        await host.WaitForStateAsync(again, JobState.Succeeded);
    }

    /// <summary>Bulk delete with a finished-before date purges old finished jobs only, counts them, and is safe to repeat.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Bulk_delete_purges_finished_jobs_older_than_a_date_and_counts_them()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 1);
        var owner = NewOwner();
        var old = new List<string>
        {
            await host.Queue.EnqueueAsync(new EchoJob("1"), new JobOptions { Owner = owner }),
            await host.Queue.EnqueueAsync(new FlakyJob(NewOwner(), FailTimes: 1), new JobOptions { Owner = owner }),
        };
        await host.WaitForStateAsync(old[0], JobState.Succeeded);
        await host.WaitForStateAsync(old[1], JobState.Dead);
        await Task.Delay(50);
        var cut = TimeProvider.System.GetUtcNow();
        await Task.Delay(50);
        var recent = await host.Queue.EnqueueAsync(new EchoJob("2"), new JobOptions { Owner = owner });
        await host.WaitForStateAsync(recent, JobState.Succeeded);
        var waiting = await host.Queue.EnqueueAsync(new EchoJob("3"), new JobOptions { Owner = owner, Delay = Later });

        var filter = new JobFilter { Owner = owner, FinishedBefore = cut };
        Assert.Equal(2, await host.Backend.DeleteManyAsync(filter, CancellationToken.None));
        Assert.Equal(0, await host.Backend.DeleteManyAsync(filter, CancellationToken.None));
        foreach (var id in old)
        {
            Assert.Null(await host.Store.GetAsync(id));
        }

        Assert.NotNull(await host.Store.GetAsync(recent));

        Assert.Equal(1, await host.Backend.DeleteManyAsync(new JobFilter { Owner = owner }, CancellationToken.None));
        Assert.Null(await host.Store.GetAsync(recent));
        Assert.Equal(JobState.Scheduled, (await host.Store.GetAsync(waiting))!.State);
    }

    private static string NewOwner() => "o" + Guid.NewGuid().ToString("N")[..12];
}
