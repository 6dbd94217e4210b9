using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strata.Jobs.Backends;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>
/// How the workers record an attempt in the cases the shared contract leaves open: a handler that throws an
/// <see cref="OperationCanceledException"/> of its own, and more jobs running at once than the table of running jobs
/// starts with.
/// </summary>
public sealed class AttemptOutcomeTests : JobBackendTestBase
{
    protected override void UseBackend(JobsBuilder builder) =>
        builder.UseInMemory().AddHandler<OwnCancellationJob, OwnCancellationHandler>();

    [Fact]
    public async Task Handler_throwing_its_own_OperationCanceledException_fails_as_an_error_not_as_a_timeout_or_a_cancel()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 1);

        var untimed = await host.Queue.EnqueueAsync(new OwnCancellationJob("untimed"));
        var timed = await host.Queue.EnqueueAsync(new OwnCancellationJob("timed"), new JobOptions { Timeout = TimeSpan.FromHours(1) });

        foreach (var id in new[] { untimed, timed })
        {
            var dead = await host.WaitForFinishAsync(id);
            dead.State.Should().Be(JobState.Dead, "nobody cancelled the job: the handler's own cancellation is a failure");
            dead.Attempt.Should().Be(1);
            dead.Error.Should().Be("The handler failed with OperationCanceledException.", "the job's timeout did not fire");
        }
    }

    [Fact]
    public async Task More_jobs_running_at_once_than_the_running_table_starts_with_can_each_be_cancelled()
    {
        // The table of running jobs starts with 16 entries and doubles when full: 40 jobs make it grow twice.
        const int Jobs = 40;
        var host = await StartHostAsync(o => o.Concurrency = Jobs);
        var ids = new List<string>();
        for (var i = 0; i < Jobs; i++)
        {
            ids.Add(await host.Queue.EnqueueAsync(new BlockingJob($"b{i}")));
        }

        for (var i = 0; i < Jobs; i++)
        {
            await host.Probe.WaitStartedAsync($"b{i}");
            await host.WaitForStateAsync(ids[i], JobState.Running);
        }

        var running = host.Services.GetRequiredService<IRunningJobs>();
        ids.Should().OnlyContain(id => running.IsRunning(id), "every started job is in the table");
        foreach (var id in ids)
        {
            (await host.Queue.CancelAsync(id)).Should().BeTrue();
        }

        foreach (var id in ids)
        {
            await host.WaitForStateAsync(id, JobState.Cancelled);
        }

        host.Probe.TokensFired.Should().HaveCount(Jobs, "each job's own token fired");
        ids.Should().OnlyContain(id => !running.IsRunning(id), "a finished job leaves the table");
    }

    [Fact]
    public async Task DescribeError_writes_the_failed_attempt_summary_and_one_that_throws_gives_the_default()
    {
        var host = await StartHostAsync(
            o =>
            {
                o.MaxAttempts = 1;
                o.DescribeError = ex => ex is OperationCanceledException
                    ? throw new InvalidOperationException("The describer broke.")
                    : $"Described: {ex.GetType().Name}";
            },
            services: s => s.AddFakeLogging());
        var logs = host.Services.GetFakeLogCollector();

        var described = await host.Queue.EnqueueAsync(new FlakyJob("described", FailTimes: 1));
        var fallback = await host.Queue.EnqueueAsync(new OwnCancellationJob("fallback"));

        (await host.WaitForStateAsync(described, JobState.Dead)).Error.Should().Be("Described: InvalidOperationException");
        (await host.WaitForStateAsync(fallback, JobState.Dead)).Error.Should().Be("The handler failed with OperationCanceledException.");
        logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "DescribeFailed").Which.Level.Should().Be(LogLevel.Error);
    }
}

/// <summary>Runs <see cref="OwnCancellationHandler"/>: throws an <see cref="OperationCanceledException"/> of its own.</summary>
/// <param name="Key">Names the job.</param>
public sealed record OwnCancellationJob(string Key);

/// <summary>Fails the way a handler whose own HTTP call timed out does.</summary>
public sealed class OwnCancellationHandler : IJobHandler<OwnCancellationJob>
{
    /// <inheritdoc />
    public async Task HandleAsync(OwnCancellationJob job, JobContext context)
    {
        await Task.Yield();
        throw new OperationCanceledException("A call the handler made gave up.");
    }
}
