using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary><see cref="IJobAdmin"/> as AddStrataJobs registers it, over the in-memory backend: argument checks, counts, queues, bulk operations.</summary>
public sealed class JobAdminServiceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 18, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly JobProbe _probe = new();
    private IHost _host = null!;

    private IJobAdmin Admin => _host.Services.GetRequiredService<IJobAdmin>();

    private IJobQueue Queue => _host.Services.GetRequiredService<IJobQueue>();

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddSingleton(_probe);
        builder.Services.AddStrataJobs(o =>
            {
                o.AddQueue("default").AddQueue("reports");
                o.RunWorkers = false;
            })
            .AddHandler<RecordJob, RecordHandler>();
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    [Fact]
    public async Task Unknown_queue_in_a_filter_is_an_ArgumentException_naming_it_and_the_configured_queues()
    {
        var filter = new JobFilter { Queue = "emails" };

        var search = async () => await Admin.SearchAsync(filter);
        var requeue = async () => await Admin.RequeueManyAsync(filter);
        var delete = async () => await Admin.DeleteManyAsync(filter);

        foreach (var call in new Func<Task>[] { search, requeue, delete })
        {
            (await call.Should().ThrowAsync<ArgumentException>())
                .Which.Message.Should().Contain("'emails'").And.Contain("default, reports");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public async Task Page_size_outside_1_to_1000_is_ArgumentOutOfRangeException(int limit)
    {
        var search = async () => await Admin.SearchAsync(limit: limit);

        (await search.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("limit");
    }

    [Fact]
    public async Task Page_sizes_1_and_1000_are_accepted()
    {
        await Queue.EnqueueAsync(new RecordJob("a"));
        await Queue.EnqueueAsync(new RecordJob("b"));

        var one = await Admin.SearchAsync(limit: 1);
        var all = await Admin.SearchAsync(limit: 1000);

        one.Jobs.Should().ContainSingle();
        one.NextCursor.Should().NotBeNull();
        all.Jobs.Should().HaveCount(2);
        all.NextCursor.Should().BeNull();
    }

    [Theory]
    [InlineData(JobState.Queued)]
    [InlineData(JobState.Cancelled)]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    public async Task Bulk_requeue_of_a_state_other_than_Dead_is_an_ArgumentException(JobState state)
    {
        var requeue = async () => await Admin.RequeueManyAsync(new JobFilter { State = state });

        (await requeue.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain(state.ToString()).And.Contain("Dead");
    }

    [Theory]
    [InlineData(JobState.Queued)]
    [InlineData(JobState.Scheduled)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Failed)]
    public async Task Bulk_delete_of_an_unfinished_state_is_an_ArgumentException(JobState state)
    {
        var delete = async () => await Admin.DeleteManyAsync(new JobFilter { State = state });

        (await delete.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain(state.ToString()).And.Contain("finished");
    }

    [Fact]
    public async Task CreatedAfter_later_than_CreatedBefore_is_an_ArgumentException()
    {
        var filter = new JobFilter { CreatedAfter = Start, CreatedBefore = Start.AddSeconds(-1) };

        var search = async () => await Admin.SearchAsync(filter);
        var delete = async () => await Admin.DeleteManyAsync(filter);

        (await search.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("CreatedAfter").And.Contain("CreatedBefore");
        await delete.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task Pause_and_resume_of_an_unknown_queue_are_ArgumentExceptions_and_of_a_known_one_show_in_the_queues()
    {
        var pause = async () => await Admin.PauseQueueAsync("emails");
        var resume = async () => await Admin.ResumeQueueAsync("emails");
        (await pause.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("default, reports");
        await resume.Should().ThrowAsync<ArgumentException>();

        await Admin.PauseQueueAsync("reports");
        var paused = await Admin.GetQueuesAsync();
        await Admin.ResumeQueueAsync("reports");
        var resumed = await Admin.GetQueuesAsync();

        paused.Single(q => q.Name == "reports").Paused.Should().BeTrue();
        paused.Single(q => q.Name == "default").Paused.Should().BeFalse();
        resumed.Should().OnlyContain(q => !q.Paused);
    }

    [Fact]
    public async Task Counts_cover_every_configured_queue_and_state_with_zeros()
    {
        await Queue.EnqueueAsync(new RecordJob("a"));
        await Queue.EnqueueAsync(new RecordJob("b"));
        await Queue.EnqueueAsync(new RecordJob("c"), new JobOptions { Queue = "reports", Delay = TimeSpan.FromMinutes(5) });

        var counts = await Admin.CountAsync();

        counts.Should().HaveCount(2 * Enum.GetValues<JobState>().Length);
        counts.Select(c => (c.Queue, c.State)).Should().OnlyHaveUniqueItems();
        counts.Single(c => c.Queue == "default" && c.State == JobState.Queued).Count.Should().Be(2);
        counts.Single(c => c.Queue == "reports" && c.State == JobState.Scheduled).Count.Should().Be(1);
        counts.Where(c => c.Count != 0).Should().HaveCount(2);
    }

    [Fact]
    public async Task Queues_show_counts_per_state_and_when_the_oldest_waiting_job_became_runnable()
    {
        await Queue.EnqueueAsync(new RecordJob("first"));
        _time.Advance(TimeSpan.FromSeconds(30));
        await Queue.EnqueueAsync(new RecordJob("second"));

        var queues = await Admin.GetQueuesAsync();

        queues.Select(q => q.Name).Should().Equal("default", "reports");
        var main = queues[0];
        main.OldestQueuedAt.Should().Be(Start);
        main.Counts.Should().HaveCount(Enum.GetValues<JobState>().Length);
        main.Counts[JobState.Queued].Should().Be(2);
        queues[1].OldestQueuedAt.Should().BeNull();
        queues[1].Counts.Values.Should().OnlyContain(c => c == 0);
    }

    [Fact]
    public async Task Delete_of_an_empty_id_is_an_ArgumentException_and_of_an_unfinished_job_is_false()
    {
        var id = await Queue.EnqueueAsync(new RecordJob("waiting"));

        var empty = async () => await Admin.DeleteAsync(" ");
        await empty.Should().ThrowAsync<ArgumentException>();
        (await Admin.DeleteAsync(id)).Should().BeFalse();
        (await _host.Services.GetRequiredService<IJobStore>().GetAsync(id)).Should().NotBeNull();
    }
}
