using Microsoft.Extensions.Options;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>The configuration of fleet-wide limits: checked at start, and a job's limit key checked at enqueue.</summary>
public sealed class FleetLimitOptionsTests : JobBackendTestBase
{
    protected override void UseBackend(JobsBuilder builder) => builder.UseInMemory();

    [Fact]
    public async Task Unknown_limit_key_is_refused_at_enqueue_naming_the_key_and_the_configured_ones()
    {
        var host = await StartHostAsync(o =>
        {
            o.RateLimits["partner-api"] = new JobRateLimit(10, TimeSpan.FromSeconds(1));
            o.RateLimits["mailer"] = new JobRateLimit(2, TimeSpan.FromSeconds(1));
        });

        var enqueue = () => host.Queue.EnqueueAsync(new EchoJob("x"), new JobOptions { LimitKey = "partner" }).AsTask();

        var refused = (await enqueue.Should().ThrowAsync<ArgumentException>()).Which;
        refused.Message.Should().Contain("'partner'").And.Contain("'partner-api'").And.Contain("'mailer'").And.Contain("JobsOptions.RateLimits");
        var known = await host.Queue.EnqueueAsync(new EchoJob("y"), new JobOptions { LimitKey = "partner-api" });
        await host.WaitForStateAsync(known, JobState.Succeeded);
        host.Probe.Runs.Should().Equal("y");
    }

    [Fact]
    public async Task Limit_key_without_any_configured_limit_says_none_is_configured()
    {
        var host = await StartHostAsync();

        var enqueue = () => host.Queue.TryEnqueueAsync(new EchoJob("x"), new JobOptions { LimitKey = "partner-api" }).AsTask();

        (await enqueue.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("'partner-api'").And.Contain("none is configured");
    }

    [Fact]
    public async Task Fleet_cap_below_1_and_an_unnamed_rate_limit_stop_the_host_naming_both()
    {
        var start = () => StartHostAsync(o =>
        {
            o.Queues.Add(new JobQueueOptions { Name = JobsOptions.DefaultQueueName, FleetMaxConcurrency = 0 });
            o.RateLimits[" "] = new JobRateLimit(1, TimeSpan.FromSeconds(1));
        });

        var failure = (await start.Should().ThrowAsync<OptionsValidationException>()).Which;
        failure.Message.Should().Contain("FleetMaxConcurrency must be at least 1").And.Contain("JobsOptions.RateLimits has an empty name");
    }
}
