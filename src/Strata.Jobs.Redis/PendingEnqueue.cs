using Strata.Jobs.Backends;

namespace Strata.Jobs.Redis;

/// <summary>One caller's enqueue waiting in a batch; completes with that job's outcome.</summary>
internal sealed class PendingEnqueue(JobEnvelope envelope, DateTimeOffset? runAt)
    : TaskCompletionSource<EnqueueResult>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public JobEnvelope Envelope { get; } = envelope;

    public DateTimeOffset? RunAt { get; } = runAt;
}
