using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>
/// A job whose timeout fired and whose handler is still ending when the host stops: the attempt timed out, so it is
/// failed as a timeout (and dead-lettered when it has no attempt left), not handed back to its queue as an
/// interrupted job would be.
/// </summary>
public sealed class TimeoutAtShutdownTests : JobBackendTestBase
{
    protected override void UseBackend(JobsBuilder builder) =>
        builder.UseInMemory().AddHandler<SlowToEndJob, SlowToEndHandler>();

    [Fact]
    public async Task Job_that_timed_out_and_ends_during_shutdown_fails_as_timed_out_not_handed_back()
    {
        var host = await StartHostAsync(
            o =>
            {
                o.MaxAttempts = 1;
                o.ShutdownDrainTimeout = TimeSpan.FromMilliseconds(100);
                o.TimeoutGracePeriod = TimeSpan.FromSeconds(30);   // neither the timeout nor the stop gives up on the handler
            },
            services: s => s.AddFakeLogging());
        var logs = host.Services.GetFakeLogCollector();
        var id = await host.Queue.EnqueueAsync(new SlowToEndJob("t"), new JobOptions { Timeout = TimeSpan.FromMilliseconds(100) });
        await host.Probe.WaitStartedAsync("t");   // its timeout fired; the handler waits for the gate

        var stopping = host.StopAsync();

        // The drain window ends with the job still running; its handler ends once the jobs' shutdown has begun.
        await WaitUntilAsync(() => Task.FromResult(logs.GetSnapshot().Any(r => r.Id.Name == "DrainTimedOut")));
        host.Probe.Gate.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        var info = await host.Store.GetAsync(id);
        info!.State.Should().Be(JobState.Dead);
        info.Error.Should().Be("The attempt timed out after 00:00:00.1000000.");
        logs.GetSnapshot().Should().NotContain(r => r.Id.Name == "Interrupted");
    }

    /// <summary>A job for <see cref="SlowToEndHandler"/>.</summary>
    /// <param name="Key">Marked started once its token fires.</param>
    public sealed record SlowToEndJob(string Key);

    /// <summary>Waits for its token, then for <see cref="JobProbe.Gate"/>, then throws the cancellation.</summary>
    public sealed class SlowToEndHandler(JobProbe probe) : IJobHandler<SlowToEndJob>
    {
        /// <inheritdoc />
        public async Task HandleAsync(SlowToEndJob job, JobContext context)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                probe.MarkStarted(job.Key);
                await probe.Gate.Task;
                throw;
            }
        }
    }
}
