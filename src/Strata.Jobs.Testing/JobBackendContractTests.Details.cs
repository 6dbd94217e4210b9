using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Strata.Jobs.Testing;

/// <summary>The job detail part of the contract: what a job was enqueued with, read back by id.</summary>
public abstract partial class JobBackendContractTests
{
    /// <summary>The envelope as enqueued comes back with its payload, trace context and keys, for a waiting and a dead job.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Envelope_as_enqueued_comes_back_with_payload_trace_context_and_keys()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 1);
        var owner = NewOwner();
        string waiting, dead, traceParent;
        using (var activity = new Activity("contract-enqueue").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            traceParent = activity.Id!;
            waiting = await host.Queue.EnqueueAsync(
                new EchoJob("<script>alert(1)</script>"),
                new JobOptions { Owner = owner, Delay = Later, IdempotencyKey = $"details-{owner}", Timeout = TimeSpan.FromSeconds(42) });
            dead = await host.Queue.EnqueueAsync(new FlakyJob(NewOwner(), FailTimes: 1), new JobOptions { Owner = owner });
        }

        await host.WaitForStateAsync(dead, JobState.Dead);

        var enqueued = await host.Backend.GetEnvelopeAsync(waiting, CancellationToken.None);
        Assert.NotNull(enqueued);
        Assert.Equal(waiting, enqueued!.Id);
        Assert.Equal("<script>alert(1)</script>", JsonDocument.Parse(enqueued.Payload).RootElement.GetProperty("text").GetString());
        Assert.Equal(traceParent, enqueued.TraceParent);
        Assert.Equal($"details-{owner}", enqueued.IdempotencyKey);
        Assert.Equal(TimeSpan.FromSeconds(42), enqueued.Timeout);
        Assert.Equal(owner, enqueued.Owner);

        var deadEnvelope = await host.Backend.GetEnvelopeAsync(dead, CancellationToken.None);
        Assert.NotNull(deadEnvelope);
        Assert.Equal(traceParent, deadEnvelope!.TraceParent);
        Assert.Equal(1, JsonDocument.Parse(deadEnvelope.Payload).RootElement.GetProperty("failTimes").GetInt32());
    }

    /// <summary>An unknown or deleted job has no envelope.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Envelope_of_an_unknown_or_deleted_job_is_null()
    {
        var host = await StartHostAsync(o => o.MaxAttempts = 1);
        Assert.Null(await host.Backend.GetEnvelopeAsync(host.Backend.CreateJobId("default"), CancellationToken.None));

        var dead = await host.Queue.EnqueueAsync(new FlakyJob(NewOwner(), FailTimes: 1), new JobOptions { Owner = NewOwner() });
        await host.WaitForStateAsync(dead, JobState.Dead);
        Assert.NotNull(await host.Backend.GetEnvelopeAsync(dead, CancellationToken.None));
        Assert.True(await host.Backend.DeleteAsync(dead, CancellationToken.None));
        Assert.Null(await host.Backend.GetEnvelopeAsync(dead, CancellationToken.None));
    }
}
