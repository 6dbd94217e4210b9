using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>Finding and counting jobs through the Redis search indexes.</summary>
public sealed class OperationsSearchTests(RedisFixture redis) : OperationsTestBase(redis), IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Search_filters_by_state_queue_type_owner_and_creation_time_newest_first()
    {
        var host = await StartHostAsync(o => o.AddQueue("default").AddQueue("reports"));
        var ok = new List<string>();
        var dead = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ok.Add(await host.Queue.EnqueueAsync(new EchoJob($"ok{i}"), new JobOptions { Owner = i % 2 == 0 ? "alice" : "bob" }));
            dead.Add(await host.Queue.EnqueueAsync(new RejectedJob($"bad{i}"), new JobOptions { Queue = i < 4 ? "reports" : "default", Owner = "alice" }));
        }

        await Task.Delay(5);
        var boundary = DateTimeOffset.UtcNow;
        await Task.Delay(5);
        var late = await host.Queue.EnqueueAsync(new EchoJob("late"), new JobOptions { Owner = "carol" });
        foreach (var id in ok.Append(late))
        {
            await host.WaitForStateAsync(id, JobState.Succeeded);
        }

        foreach (var id in dead)
        {
            await host.WaitForStateAsync(id, JobState.Dead);
        }

        var backend = host.Backend;
        var everything = await SearchAllAsync(backend, new JobFilter(), pageSize: 4);
        everything.Select(j => j.Id).Should().BeEquivalentTo(ok.Concat(dead).Append(late));
        everything.Should().BeInDescendingOrder(j => j.CreatedAt, "newest first");
        everything[0].Id.Should().Be(late);

        (await SearchAllAsync(backend, new JobFilter { State = JobState.Dead, Queue = "reports" })).Select(j => j.Id)
            .Should().BeEquivalentTo(dead.Take(4));
        (await SearchAllAsync(backend, new JobFilter { Owner = "alice" })).Select(j => j.Id)
            .Should().BeEquivalentTo(dead.Concat(ok.Where((_, i) => i % 2 == 0)));
        (await SearchAllAsync(backend, new JobFilter { JobType = TypeNameOf(everything, late), Owner = "carol" })).Select(j => j.Id)
            .Should().Equal(late);
        (await SearchAllAsync(backend, new JobFilter { State = JobState.Succeeded, Owner = "bob" })).Select(j => j.Id)
            .Should().BeEquivalentTo(ok.Where((_, i) => i % 2 == 1));
        (await SearchAllAsync(backend, new JobFilter { CreatedAfter = boundary })).Select(j => j.Id).Should().Equal(late);
        (await SearchAllAsync(backend, new JobFilter { CreatedBefore = boundary })).Should().HaveCount(12);

        var found = (await backend.SearchAsync(new JobFilter { State = JobState.Dead, Queue = "default" }, null, 1, default)).Jobs.Single();
        var direct = await host.Store.GetAsync(found.Id);
        found.Should().BeEquivalentTo(direct!, o => o.Excluding(j => j.Result), "a search returns jobs as GetAsync does");
        found.Owner.Should().Be("alice");
        found.Error.Should().Contain("unsupported format");
    }

    [Fact]
    public async Task Paging_while_new_jobs_arrive_visits_every_job_once_in_order()
    {
        var host = await StartProducerAsync();
        var first = new List<string>();
        for (var i = 0; i < 120; i++)
        {
            first.Add(await host.Queue.EnqueueAsync(new EchoJob($"j{i}")));
        }

        var seen = new List<JobInfo>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await host.Backend.SearchAsync(new JobFilter(), cursor, 25, default);
            seen.AddRange(page.Jobs);
            cursor = page.NextCursor;
            pages++;
            for (var i = 0; i < 10; i++)
            {
                await host.Queue.EnqueueAsync(new EchoJob($"new{pages}.{i}"));
            }
        }
        while (cursor is not null);

        seen.Select(j => j.Id).Should().OnlyHaveUniqueItems("no job appears twice");
        seen.Select(j => j.Id).Should().BeEquivalentTo(first, "every job there for the whole walk is seen; later ones are newer than the first page");
        seen.Zip(seen.Skip(1)).Should().OnlyContain(
            p => p.First.CreatedAt > p.Second.CreatedAt || (p.First.CreatedAt == p.Second.CreatedAt && string.CompareOrdinal(p.First.Id, p.Second.Id) > 0),
            "newest first, then by id descending");
        pages.Should().Be(5);
    }

    [Fact]
    public async Task Jobs_created_in_the_same_millisecond_page_by_id_without_a_gap()
    {
        var host = await StartProducerAsync();
        var created = DateTimeOffset.UtcNow;
        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var id = host.Backend.CreateJobId("default");
            ids.Add(id);
            await host.Backend.EnqueueAsync(Envelope(id, created), null, false, default);
        }

        var seen = await SearchAllAsync(host.Backend, new JobFilter(), pageSize: 7);

        seen.Select(j => j.Id).Should().Equal(ids.OrderByDescending(id => id, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Malformed_cursor_is_refused_naming_the_parameter()
    {
        var host = await StartProducerAsync();

        foreach (var cursor in new[] { "not a cursor!", "bm9wZQ", string.Empty })
        {
            var search = async () => await host.Backend.SearchAsync(new JobFilter(), cursor, 10, default);
            (await search.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("cursor");
        }
    }

    [Fact]
    public async Task Counts_are_exact_per_queue_and_state()
    {
        var host = await StartHostAsync(o => o.AddQueue("default").AddQueue("reports"));
        var waiting = await StartProducerAsync("default", "reports");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await host.Queue.EnqueueAsync(new EchoJob($"ok{i}")));
        }

        for (var i = 0; i < 3; i++)
        {
            ids.Add(await host.Queue.EnqueueAsync(new RejectedJob($"bad{i}"), new JobOptions { Queue = "reports" }));
        }

        foreach (var id in ids)
        {
            await host.WaitForFinishAsync(id);
        }

        await waiting.Queue.EnqueueAsync(new EchoJob("later"), new JobOptions { Queue = "reports", Delay = TimeSpan.FromHours(1) });

        var counts = await host.Backend.CountAsync(default);

        counts.Should().BeEquivalentTo(new[]
        {
            new JobStateCount("default", JobState.Succeeded, 5),
            new JobStateCount("reports", JobState.Dead, 3),
            new JobStateCount("reports", JobState.Scheduled, 1),
        });
    }

    [Fact]
    public async Task Index_entries_leave_when_the_status_expires()
    {
        var host = await StartHostAsync(o => o.RetentionPeriod = TimeSpan.FromMilliseconds(1500));
        var ok = await host.Queue.EnqueueAsync(new EchoJob("short"), new JobOptions { Owner = "alice" });
        var dead = await host.Queue.EnqueueAsync(new RejectedJob("short"), new JobOptions { Owner = "bob" });
        await host.WaitForStateAsync(ok, JobState.Succeeded);
        await host.WaitForStateAsync(dead, JobState.Dead);
        (await SearchAllAsync(host.Backend, new JobFilter())).Should().HaveCount(2);
        (await IndexKeysAsync("default")).Should().NotBeEmpty();

        // The background loop sweeps the expired jobs out of every index: the keys go with their last member.
        try
        {
            await WaitUntilAsync(async () => (await IndexKeysAsync("default")).Count == 0);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"The indexes were not swept in 30 s. Keys now:\n{await DescribeKeysAsync()}");
        }

        (await host.Store.GetAsync(ok)).Should().BeNull();
        (await SearchAllAsync(host.Backend, new JobFilter())).Should().BeEmpty();
        (await host.Backend.CountAsync(default)).Should().BeEmpty();
    }

    private static string TypeNameOf(List<JobInfo> jobs, string id) => jobs.Single(j => j.Id == id).JobType;

    private static Backends.JobEnvelope Envelope(string id, DateTimeOffset created) => new()
    {
        Id = id,
        JobType = "echo",
        Queue = "default",
        Payload = "{}",
        CreatedAt = created,
        EnqueuedAt = created,
    };
}
