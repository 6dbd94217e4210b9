using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>
/// A job cancelled while it waited keeps its stream or delayed entry until it comes up; its status expires after the
/// retention period. Coming up after that, with no status at all, it must be dropped, never run (and never leave a
/// status hash without an expiry behind).
/// </summary>
public sealed class ExpiredStatusTests(RedisFixture redis) : OperationsTestBase(redis), IClassFixture<RedisFixture>
{
    private static readonly TimeSpan Retention = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Queued_job_cancelled_and_expired_is_dropped_when_a_worker_reads_it()
    {
        var producer = await StartHostAsync(o =>
        {
            o.RunWorkers = false;
            o.RetentionPeriod = Retention;
        });
        var id = await producer.Queue.EnqueueAsync(new EchoJob("cancelled long ago"));
        (await producer.Queue.CancelAsync(id)).Should().BeTrue();
        await WaitUntilAsync(async () => !await Db.KeyExistsAsync(JobKey(id)));
        (await Db.StreamLengthAsync(Stream)).Should().Be(1, "the cancelled job's entry waits in the stream");

        var worker = await StartHostAsync(o => o.RetentionPeriod = Retention);

        // The entry goes (acknowledged and deleted) without the job running: it would have run before a success
        // deleted it.
        await WaitUntilAsync(async () => await Db.StreamLengthAsync(Stream) == 0);
        worker.Probe.Runs.Should().BeEmpty();
        (await Db.KeyExistsAsync(JobKey(id))).Should().BeFalse("no status is re-created for it");
    }

    [Fact]
    public async Task Delayed_job_cancelled_and_expired_is_dropped_when_its_time_comes()
    {
        // The hosts' clock decides when a delayed job is due; Redis's own clock expires the status.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var producer = await StartHostAsync(
            o =>
            {
                o.RunWorkers = false;
                o.RetentionPeriod = Retention;
            },
            services: s => s.AddSingleton<TimeProvider>(time));
        var id = await producer.Queue.EnqueueAsync(new EchoJob("cancelled, due later"), new JobOptions { Delay = TimeSpan.FromHours(1) });
        (await producer.Queue.CancelAsync(id)).Should().BeTrue();
        await WaitUntilAsync(async () => !await Db.KeyExistsAsync(JobKey(id)));
        (await Db.SortedSetLengthAsync(Delayed)).Should().Be(1, "the cancelled job's entry waits in the delayed set");

        time.Advance(TimeSpan.FromHours(2));
        var worker = await StartHostAsync(o => o.RetentionPeriod = Retention, services: s => s.AddSingleton<TimeProvider>(time));

        // Promotion takes the entry out of the delayed set; were it moved to the stream, it would stay there until
        // the job had run and succeeded.
        await WaitUntilAsync(async () => await Db.SortedSetLengthAsync(Delayed) == 0);
        await WaitUntilAsync(async () => await Db.StreamLengthAsync(Stream) == 0);
        worker.Probe.Runs.Should().BeEmpty();
        (await Db.KeyExistsAsync(JobKey(id))).Should().BeFalse("no status is re-created for it");
    }

    private string Stream => Prefix + "{default}:stream";

    private string Delayed => Prefix + "{default}:delayed";

    private string JobKey(string id) => Prefix + "{default}:job:" + id;
}
