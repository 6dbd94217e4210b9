using Microsoft.Extensions.DependencyInjection;

namespace Strata.Jobs.Tests;

/// <summary>The README's "Finding and retrying jobs" code, as written there, run against an app with dead jobs.</summary>
public sealed class JobAdminReadmeTests
{
    [Fact]
    public async Task Readme_admin_sample_pages_through_dead_jobs_requeues_them_and_lists_the_queues()
    {
        await using var testApp = await JobAdminTestApp.StartAsync();
        var app = testApp.App;
        var deadIds = await testApp.MakeDeadJobsAsync("readme", 3, queue: "reports");

        // --- README: Finding and retrying jobs ---
        var admin = app.Services.GetRequiredService<IJobAdmin>();
        var dead = new JobFilter { State = JobState.Dead, Queue = "reports" };

        // Newest first, a page at a time: pass NextCursor on until it is null. Jobs carry their owner, attempts and last error.
        string? cursor = null;
        do
        {
            var page = await admin.SearchAsync(dead, cursor, limit: 100);
            foreach (var job in page.Jobs)
            {
                Console.WriteLine($"{job.Id} {job.JobType} ({job.Owner}): {job.Error}, attempt {job.Attempt} of {job.MaxAttempts}");
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        // Run them all again with a fresh set of attempts; safe to repeat (a requeued job is no longer dead).
        long requeued = await admin.RequeueManyAsync(dead);

        // Forget succeeded jobs that finished over an hour ago, before their retention runs out.
        long purged = await admin.DeleteManyAsync(new JobFilter { State = JobState.Succeeded, FinishedBefore = DateTimeOffset.UtcNow.AddHours(-1) });

        // Every configured queue: paused or not, jobs per state (zeros included), the oldest waiting job.
        foreach (var queue in await admin.GetQueuesAsync())
        {
            Console.WriteLine($"{queue.Name}: {queue.Counts[JobState.Queued]} queued since {queue.OldestQueuedAt}, paused: {queue.Paused}");
        }
        // --- end of README ---

        requeued.Should().Be(3);
        foreach (var id in deadIds)
        {
            await testApp.WaitForStateAsync(id, JobState.Succeeded);
        }

        purged.Should().Be(0, "nothing finished over an hour ago");
        (await admin.SearchAsync(dead)).Jobs.Should().BeEmpty();
    }
}
