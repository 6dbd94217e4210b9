using Strata.Jobs.Backends;
using Strata.Jobs.EntityFrameworkCore.Internal;
using Strata.Testing;

// EF1001 flags any namespace named *.EntityFrameworkCore.Internal; these are this package's own internals.
#pragma warning disable EF1001

namespace Strata.Jobs.EntityFrameworkCore.Tests;

/// <summary>Search, counts and bulk changes of the database backend, beyond the shared contract: ties, batches, keys.</summary>
public abstract class OperationsSearchTests : OperationsTestBase
{
    [Fact]
    public async Task Paging_jobs_created_in_one_millisecond_visits_each_once_newest_first_while_more_arrive()
    {
        var host = await StartHostAsync();
        var queue = NewQueue("page");
        var owner = "owner-" + Guid.NewGuid().ToString("N")[..8];

        // 130 jobs in one millisecond: the order among them is the id's, and the cursor must carry it.
        var stored = await EnqueueAsync(host.Backend, 130, _ => Envelope(queue, Epoch, owner));
        var seen = new List<JobInfo>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await host.Backend.SearchAsync(new JobFilter { Owner = owner }, cursor, 25, CancellationToken.None);
            page.Jobs.Count.Should().BeLessThanOrEqualTo(25);
            seen.AddRange(page.Jobs);
            cursor = page.NextCursor;
            pages++;

            // Arrivals while the walk goes on: one newer, one in the same millisecond (ties go by id, either side of the cursor).
            await EnqueueAsync(host.Backend, 1, _ => Envelope(queue, Epoch.AddMinutes(pages), owner));
            await EnqueueAsync(host.Backend, 1, _ => Envelope(queue, Epoch, owner));
        }
        while (cursor is not null && pages < 50);

        seen.Select(j => j.Id).Should().OnlyHaveUniqueItems("no job is on two pages");
        seen.Select(j => j.Id).Should().Contain(stored.Select(e => e.Id), "every job that existed for the whole walk is visited");
        for (var i = 1; i < seen.Count; i++)
        {
            var (newer, older) = (seen[i - 1], seen[i]);
            (newer.CreatedAt > older.CreatedAt || (newer.CreatedAt == older.CreatedAt && string.CompareOrdinal(newer.Id, older.Id) > 0))
                .Should().BeTrue($"{newer.Id} comes before {older.Id}, newest first");
        }

        seen.Should().OnlyContain(j => j.Owner == owner && j.Queue == queue && j.State == JobState.Queued && j.CreatedAt >= Epoch);
    }

    [Fact]
    public async Task Dead_jobs_of_one_queue_are_found_with_their_error_and_attempt()
    {
        var host = await StartHostAsync();
        var (reports, mail) = (NewQueue("reports"), NewQueue("mail"));
        var dead = await EnqueueAsync(host.Backend, 3, i => Envelope(reports, Epoch.AddSeconds(i)));
        await EnqueueAsync(host.Backend, 2, i => Envelope(mail, Epoch.AddSeconds(i)));
        (await SettleAllAsync(host.Backend, reports, d => DeadAsync(host.Backend, d))).Should().Be(3);
        (await SettleAllAsync(host.Backend, mail, d => DeadAsync(host.Backend, d))).Should().Be(2);
        var queued = await EnqueueAsync(host.Backend, 2, i => Envelope(reports, Epoch.AddSeconds(10 + i)));

        var found = await SearchAllAsync(host.Backend, new JobFilter { State = JobState.Dead, Queue = reports }, pageSize: 2);

        found.Select(j => j.Id).Should().Equal(dead.Select(e => e.Id).Reverse());
        found.Should().OnlyContain(j => j.Error == "The handler failed with InvalidOperationException." && j.Attempt == 1 && j.CompletedAt != null);
        (await SearchAllAsync(host.Backend, new JobFilter { State = JobState.Queued, Queue = reports })).Select(j => j.Id)
            .Should().Equal(queued.Select(e => e.Id).Reverse());
        (await SearchAllAsync(host.Backend, new JobFilter { Queue = mail, JobType = "Other" })).Should().BeEmpty();
    }

    [Fact]
    public async Task A_cursor_the_backend_did_not_make_is_refused_naming_the_cursor()
    {
        var host = await StartHostAsync();
        string[] bad = ["", "!!!", "a", JobCursor.Encode(1, "x")[..^1] + "*", B64("no colon"), B64(":id-without-time"), B64("12:"), B64("x1:id"), new string('A', 5000)];

        foreach (var cursor in bad)
        {
            var refused = await FluentActions.Awaiting(() => host.Backend.SearchAsync(new JobFilter(), cursor, 10, CancellationToken.None).AsTask())
                .Should().ThrowAsync<ArgumentException>($"'{cursor}' is no cursor");
            refused.Which.ParamName.Should().Be("cursor");
        }

        (await host.Backend.SearchAsync(new JobFilter(), JobCursor.Encode(Epoch.ToUnixTimeMilliseconds(), "z"), 10, CancellationToken.None)).Should().NotBeNull();

        static string B64(string text) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text)).TrimEnd('=');
    }

    [Fact]
    public async Task Counts_cover_every_queue_and_state_exactly()
    {
        var host = await StartHostAsync();
        var (a, b) = (NewQueue("ca"), NewQueue("cb"));
        await EnqueueAsync(host.Backend, 5, i => Envelope(a, Epoch));
        (await SettleAllAsync(host.Backend, a, d => DeadAsync(host.Backend, d))).Should().Be(5);
        await EnqueueAsync(host.Backend, 4, i => Envelope(a, Epoch));
        await EnqueueAsync(host.Backend, 2, i => Envelope(b, Epoch));
        (await SettleAllAsync(host.Backend, b, d => host.Backend.SucceedAsync(d, null, CancellationToken.None))).Should().Be(2);
        await EnqueueAsync(host.Backend, 1, i => Envelope(b, Epoch));
        var running = await host.Backend.ReceiveAsync(b, 10, CancellationToken.None);
        running.Should().ContainSingle();

        var counts = (await host.Backend.CountAsync(CancellationToken.None)).Where(c => c.Queue == a || c.Queue == b)
            .ToDictionary(c => (c.Queue, c.State), c => c.Count);

        counts.Should().BeEquivalentTo(new Dictionary<(string, JobState), long>
        {
            [(a, JobState.Dead)] = 5,
            [(a, JobState.Queued)] = 4,
            [(b, JobState.Succeeded)] = 2,
            [(b, JobState.Running)] = 1,
        });
    }

    [Fact]
    public async Task Bulk_requeue_and_delete_go_past_one_batch_count_every_job_and_are_safe_to_repeat()
    {
        var host = await StartHostAsync();
        var queue = NewQueue("bulk");
        var total = JobSearchSql.BatchSize + 150;
        var other = NewQueue("keep");
        await EnqueueAsync(host.Backend, total, i => Envelope(queue, Epoch.AddMilliseconds(i)));
        await EnqueueAsync(host.Backend, 3, i => Envelope(other, Epoch));
        (await SettleAllAsync(host.Backend, queue, d => DeadAsync(host.Backend, d))).Should().Be(total);
        (await SettleAllAsync(host.Backend, other, d => DeadAsync(host.Backend, d))).Should().Be(3);

        var filter = new JobFilter { Queue = queue, State = JobState.Dead };
        (await host.Backend.RequeueManyAsync(filter, CancellationToken.None)).Should().Be(total);
        (await host.Backend.RequeueManyAsync(filter, CancellationToken.None)).Should().Be(0, "a requeued job is no longer dead");
        var again = await host.Backend.ReceiveAsync(queue, 1, CancellationToken.None);
        again.Should().ContainSingle().Which.Envelope.Attempt.Should().Be(1, "a requeued job starts a fresh set of attempts");
        await host.Backend.ReleaseAsync(again[0], CancellationToken.None);

        (await host.Backend.DeleteManyAsync(new JobFilter { Queue = queue }, CancellationToken.None)).Should().Be(0, "waiting jobs are not finished");
        (await SettleAllAsync(host.Backend, queue, d => host.Backend.SucceedAsync(d, null, CancellationToken.None))).Should().Be(total);
        (await host.Backend.DeleteManyAsync(new JobFilter { Queue = queue }, CancellationToken.None)).Should().Be(total);
        (await host.Backend.DeleteManyAsync(new JobFilter { Queue = queue }, CancellationToken.None)).Should().Be(0);

        (await SearchAllAsync(host.Backend, new JobFilter { Queue = queue })).Should().BeEmpty();
        (await SearchAllAsync(host.Backend, new JobFilter { Queue = other, State = JobState.Dead })).Should().HaveCount(3, "other queues are untouched");
    }

    [Fact]
    public async Task Bulk_delete_frees_the_idempotency_keys_of_the_jobs_it_deletes()
    {
        var host = await StartHostAsync();
        var queue = NewQueue("keys");
        var first = await host.Backend.EnqueueAsync(Envelope(queue, Epoch, key: "order-7"), null, false, CancellationToken.None);
        var duplicate = await host.Backend.EnqueueAsync(Envelope(queue, Epoch, key: "order-7"), null, false, CancellationToken.None);
        duplicate.Status.Should().Be(EnqueueStatus.Duplicate);
        duplicate.JobId.Should().Be(first.JobId);
        (await SettleAllAsync(host.Backend, queue, d => host.Backend.CancelledAsync(d, CancellationToken.None))).Should().Be(1);

        (await host.Backend.DeleteManyAsync(new JobFilter { Queue = queue, State = JobState.Cancelled }, CancellationToken.None)).Should().Be(1);

        var second = await host.Backend.EnqueueAsync(Envelope(queue, Epoch, key: "order-7"), null, false, CancellationToken.None);
        second.Status.Should().Be(EnqueueStatus.Enqueued, "the deleted job's key is free");
        second.JobId.Should().NotBe(first.JobId);
    }
}

public sealed class SqliteOperationsSearchTests : OperationsSearchTests, IDisposable
{
    private readonly SqliteDatabase _database = new();

    protected override ITestDatabase Database => _database;

    public void Dispose() => _database.Dispose();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresOperationsSearchTests(PostgresCluster cluster) : OperationsSearchTests
{
    private PostgresDatabase? _database;

    protected override ITestDatabase Database => _database!;

    public override async Task InitializeAsync() => _database = await PostgresDatabase.CreateAsync(cluster);
}
