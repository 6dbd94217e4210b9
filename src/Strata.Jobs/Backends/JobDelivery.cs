namespace Strata.Jobs.Backends;

/// <summary>An envelope handed to a worker by <see cref="IJobBackend.ReceiveAsync"/>, with what the backend needs to settle it.</summary>
/// <param name="envelope">The job's attempt.</param>
/// <param name="receipt">What the backend needs to acknowledge the delivery (a stream entry id for Redis, a lease token for a database); null when it needs nothing.</param>
/// <param name="deliveryCount">How many times this attempt has been delivered; above 1 after a worker stopped while holding it.</param>
public sealed class JobDelivery(JobEnvelope envelope, string? receipt = null, int deliveryCount = 1)
{
    /// <summary>The job's attempt.</summary>
    public JobEnvelope Envelope { get; } = envelope ?? throw new ArgumentNullException(nameof(envelope));

    /// <summary>What the backend needs to acknowledge the delivery; null when it needs nothing.</summary>
    public string? Receipt { get; } = receipt;

    /// <summary>How many times this attempt has been delivered; above 1 after a worker stopped while holding it.</summary>
    public int DeliveryCount { get; } = deliveryCount;

    /// <summary>
    /// Anything the backend keeps with the delivery until it is settled (the in-memory backend: the job's record; the
    /// Redis backend: the start outcome it decided for a whole batch at receipt). The worker never reads it.
    /// </summary>
    public object? BackendState { get; set; }

    /// <summary>Set by the worker when it gave the job's slot back before the end (its success was still being recorded).</summary>
    internal bool SlotReleased { get; set; }
}
