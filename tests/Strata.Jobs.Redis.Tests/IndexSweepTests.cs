using StackExchange.Redis;
using Strata.Jobs.Backends;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>
/// The sweep of the search indexes when a finished job's status hash has no expiry: a hash re-created by a write that
/// came after the status expired must not keep the job in the indexes for good; a requeued job's own hash keeps them.
/// </summary>
public sealed class IndexSweepTests(RedisFixture redis) : OperationsTestBase(redis), IClassFixture<RedisFixture>
{
    private const string JobId = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task A_hash_written_again_after_the_status_expired_is_deleted_and_the_job_leaves_every_index()
    {
        var keys = new RedisQueueKeys(Prefix, "default");
        var member = await SeedFinishedJobAsync(keys);

        // A late write (here a redelivery's 'running') re-creates the hash with one field and no expiry.
        await Db.HashSetAsync(keys.Job(JobId), "state", "running");

        var dropped = await RedisSearch.SweepAsync(Db, keys);

        dropped.Should().Be(1);
        (await Db.KeyExistsAsync(keys.Job(JobId))).Should().BeFalse();
        (await IndexKeysAsync("default")).Should().BeEmpty($"{member} must leave every index; keys now:\n{await DescribeKeysAsync()}");
    }

    [Fact]
    public async Task A_requeued_jobs_own_hash_keeps_its_index_entries()
    {
        var keys = new RedisQueueKeys(Prefix, "default");
        var member = await SeedFinishedJobAsync(keys);

        // The job's own hash (it names its index member), with no expiry: the job lives again.
        await Db.HashSetAsync(keys.Job(JobId), [new("state", "queued"), new("ix", member)]);

        var dropped = await RedisSearch.SweepAsync(Db, keys);

        dropped.Should().Be(0);
        (await Db.KeyExistsAsync(keys.Job(JobId))).Should().BeTrue();
        (await Db.SortedSetLengthAsync(keys.IndexAll)).Should().Be(1);
        (await Db.SortedSetLengthAsync(keys.Expiry)).Should().Be(0, "the entry is looked at once and dropped");
    }

    [Fact]
    public async Task Progress_reported_for_a_job_that_is_not_running_writes_nothing()
    {
        var host = await StartProducerAsync("default");
        var keys = new RedisQueueKeys(Prefix, "default");
        var envelope = new JobEnvelope
        {
            Id = JobId,
            JobType = "echo",
            Queue = "default",
            Payload = "{}",
            CreatedAt = DateTimeOffset.UtcNow,
            EnqueuedAt = DateTimeOffset.UtcNow,
        };

        // No status at all (it expired): nothing is created.
        await host.Backend.ReportProgressAsync(new JobDelivery(envelope, "1-0"), 40, "late", CancellationToken.None);
        (await Db.KeyExistsAsync(keys.Job(JobId))).Should().BeFalse();

        // A finished job's status keeps what it had.
        await Db.HashSetAsync(keys.Job(JobId), [new("state", "succeeded"), new("progress", 100)]);
        await host.Backend.ReportProgressAsync(new JobDelivery(envelope, "1-0"), 40, "late", CancellationToken.None);
        (await Db.HashGetAsync(keys.Job(JobId), "progress")).Should().Be((RedisValue)100);
        (await Db.HashExistsAsync(keys.Job(JobId), "pmsg")).Should().BeFalse();

        // A running job's progress is recorded.
        await Db.HashSetAsync(keys.Job(JobId), "state", "running");
        await host.Backend.ReportProgressAsync(new JobDelivery(envelope, "1-0"), 40, "working", CancellationToken.None);
        (await Db.HashGetAsync(keys.Job(JobId), "progress")).Should().Be((RedisValue)40);
        (await Db.HashGetAsync(keys.Job(JobId), "pmsg")).Should().Be((RedisValue)"working");
    }

    /// <summary>A finished job in every index of its queue, its expiry entry due, its hash gone: as finish.lua and the
    /// retention leave it.</summary>
    private async Task<string> SeedFinishedJobAsync(RedisQueueKeys keys)
    {
        var member = RedisIndexMember.Of(DateTimeOffset.UtcNow, JobId);
        await Db.SortedSetAddAsync(keys.IndexAll, member, 0);
        await Db.SortedSetAddAsync(keys.IndexState("succeeded"), member, 0);
        await Db.SortedSetAddAsync(keys.IndexType("echo"), member, 0);
        await Db.SortedSetAddAsync(keys.IndexPrefix + "o:alice", member, 0);
        await Db.SortedSetAddAsync(keys.Expiry, member + "\0echo\0alice", 1);
        return member;
    }
}
