using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Strata.Jobs.EntityFrameworkCore.Internal;
using Strata.Testing;

namespace Strata.Jobs.EntityFrameworkCore.Tests;

// EF1001 flags any namespace named *.EntityFrameworkCore.Internal; these are this package's own internals.
#pragma warning disable EF1001

/// <summary>
/// PostgreSQL answers a search page from an index, read backwards from the cursor, with no sort and no full scan: the
/// statements exactly as the backend writes them, EXPLAINed over 100,000 jobs with fresh statistics.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSearchPlanTests(PostgresCluster cluster) : IAsyncLifetime
{
    private const int Jobs = 100_000;
    private PostgresDatabase? _database;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync(cluster);
        await using var db = _database.CreateContext();

        // Rows as the backend writes them: four queues; 2% dead, 60% succeeded, the rest queued; twenty owners.
        await db.Database.ExecuteSqlRawAsync($$"""
            INSERT INTO "StrataJobs" ("Id", "Queue", "JobType", "Payload", "State", "Attempt", "NextAttempt", "MaxAttempts", "Owner",
                "CreatedAt", "EnqueuedAt", "RunAt", "Sequence", "Deliveries", "CancelRequested", "CompletedAt", "ExpiresAt", "Error")
            SELECT 'q' || (i % 4) || '.' || md5(i::text), 'q' || (i % 4), 'EchoJob', chr(123) || chr(125),
                CASE WHEN i % 50 = 0 THEN 5 WHEN i % 10 < 6 THEN 3 ELSE 0 END, 1, 1, 3, 'owner-' || (i % 20),
                1796126400000 + i, 1796126400000 + i, 1796126400000 + i, i, 1, false,
                CASE WHEN i % 50 = 0 OR i % 10 < 6 THEN 1796126400000 + i + 5 END,
                CASE WHEN i % 50 = 0 OR i % 10 < 6 THEN 4102444800000 END,
                CASE WHEN i % 50 = 0 THEN 'failed' END
            FROM generate_series(1, {{Jobs}}) AS i
            """);
        await db.Database.ExecuteSqlRawAsync("""ANALYZE "StrataJobs" """);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("every job", "IX_StrataJobs_CreatedAt_Id")]
    [InlineData("dead on one queue", "IX_StrataJobs_State_Queue_CreatedAt_Id")]
    [InlineData("one owner", "IX_StrataJobs_Owner_CreatedAt_Id")]
    // A queue holding a quarter of the jobs may be read along either index: both give the page in order.
    [InlineData("one queue", "IX_StrataJobs_(Queue_)?CreatedAt_Id")]
    public async Task A_page_is_read_backwards_from_an_index_on_the_first_page_and_after_a_cursor(string search, string index)
    {
        var filter = search switch
        {
            "dead on one queue" => new JobFilter { State = JobState.Dead, Queue = "q2" },
            "one owner" => new JobFilter { Owner = "owner-7" },
            "one queue" => new JobFilter { Queue = "q1" },
            _ => new JobFilter(),
        };

        foreach (var after in new (long, string)?[] { null, (1796126400000 + (Jobs / 2), "q0.zzz") })
        {
            var plan = await ExplainAsync(filter, after);

            plan.Should().MatchRegex($"Index Scan Backward using \"{index}\"", $"the {search} page ({(after is null ? "first" : "after a cursor")}) reads its index:\n{plan}");
            plan.Should().NotContain("Sort").And.NotContain("Seq Scan");
            if (after is not null)
            {
                plan.Should().MatchRegex("Index Cond: .*ROW\\(", "the cursor is where the index scan starts, not a filter over the rows before it");
            }
        }
    }

    private async Task<string> ExplainAsync(JobFilter filter, (long, string)? after)
    {
        await using var db = _database!.CreateContext();
        await db.Database.OpenConnectionAsync();
        await using DbCommand command = db.Database.GetDbConnection().CreateCommand();
        command.With("@now", 1796126400000L + Jobs);
        JobSql.For(db).Search.Search(command, filter, after, 51);
        command.CommandText = "EXPLAIN " + command.CommandText;
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}
