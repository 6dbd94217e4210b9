using Microsoft.Extensions.Diagnostics.HealthChecks;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Testing;

/// <summary>
/// Passes every call to the backend under test and counts what the worker holds: deliveries received and not yet
/// settled or given back. Lets a test see, through the public contract only, that jobs were received but not started.
/// </summary>
internal sealed partial class DeliveryCountingBackend(IJobBackend inner) : IJobBackend
{
    private int _held;
    private int _firstBatch = -1;
    private int _failingReceives;

    /// <summary>Deliveries received and neither settled nor released.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>The size of the first non-empty batch received; -1 before one.</summary>
    public int FirstBatch => Volatile.Read(ref _firstBatch);

    public string Name => inner.Name;

    public string Description => inner.Description;

    public bool JobsLiveInProcess => inner.JobsLiveInProcess;

    public string CreateJobId(string queue) => inner.CreateJobId(queue);

    public ValueTask<EnqueueResult> EnqueueAsync(JobEnvelope envelope, DateTimeOffset? runAt, bool waitForRoom, CancellationToken cancellationToken) =>
        inner.EnqueueAsync(envelope, runAt, waitForRoom, cancellationToken);

    public ValueTask<JobInfo?> GetAsync(string jobId, CancellationToken cancellationToken) => inner.GetAsync(jobId, cancellationToken);

    public ValueTask<JobEnvelope?> GetEnvelopeAsync(string jobId, CancellationToken cancellationToken) => inner.GetEnvelopeAsync(jobId, cancellationToken);

    public ValueTask<bool> CancelAsync(string jobId, CancellationToken cancellationToken) => inner.CancelAsync(jobId, cancellationToken);

    public ValueTask<bool> RequeueAsync(string jobId, CancellationToken cancellationToken) => inner.RequeueAsync(jobId, cancellationToken);

    /// <summary>How many of the next receives fail (with an <see cref="InvalidOperationException"/>) before reaching the backend.</summary>
    public int FailingReceives
    {
        get => Volatile.Read(ref _failingReceives);
        set => Volatile.Write(ref _failingReceives, value);
    }

    public async ValueTask<IReadOnlyList<JobDelivery>> ReceiveAsync(string queue, int max, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _failingReceives) > 0 && Interlocked.Decrement(ref _failingReceives) >= 0)
        {
            throw new InvalidOperationException("The test backend failed this receive on purpose.");
        }

        var deliveries = await inner.ReceiveAsync(queue, max, cancellationToken).ConfigureAwait(false);
        if (deliveries.Count > 0)
        {
            Interlocked.CompareExchange(ref _firstBatch, deliveries.Count, -1);
            Interlocked.Add(ref _held, deliveries.Count);
        }

        return deliveries;
    }

    public ValueTask WaitForWorkAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken) => inner.WaitForWorkAsync(queues, cancellationToken);

    public ValueTask<StartStatus> StartAsync(JobDelivery delivery, CancellationToken cancellationToken) => inner.StartAsync(delivery, cancellationToken);

    public ValueTask ReportProgressAsync(JobDelivery delivery, int percent, string? message, CancellationToken cancellationToken) =>
        inner.ReportProgressAsync(delivery, percent, message, cancellationToken);

    /// <summary>While set and not complete, each success waits for it before it reaches the backend (a slow store).</summary>
    public Task? SuccessGate { get; set; }

    public ValueTask SucceedAsync(JobDelivery delivery, string? resultJson, CancellationToken cancellationToken) =>
        SuccessGate is { IsCompleted: false } gate
            ? SucceedAfterAsync(gate, delivery, resultJson, cancellationToken)
            : Settled(inner.SucceedAsync(delivery, resultJson, cancellationToken));

    public ValueTask RetryAsync(JobDelivery delivery, DateTimeOffset retryAt, string error, CancellationToken cancellationToken) =>
        Settled(inner.RetryAsync(delivery, retryAt, error, cancellationToken));

    public ValueTask DeadLetterAsync(JobDelivery delivery, string error, CancellationToken cancellationToken) =>
        Settled(inner.DeadLetterAsync(delivery, error, cancellationToken));

    public ValueTask CancelledAsync(JobDelivery delivery, CancellationToken cancellationToken) =>
        Settled(inner.CancelledAsync(delivery, cancellationToken));

    public ValueTask ReleaseAsync(JobDelivery delivery, CancellationToken cancellationToken) =>
        Settled(inner.ReleaseAsync(delivery, cancellationToken));

    public Task RunAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken) => inner.RunAsync(queues, cancellationToken);

    public long GetDepth(string queue) => inner.GetDepth(queue);

    public long CountWaitingJobs() => inner.CountWaitingJobs();

    public ValueTask<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken) => inner.CheckHealthAsync(cancellationToken);

    public string? DescribeOutage() => inner.DescribeOutage();

    private async ValueTask SucceedAfterAsync(Task gate, JobDelivery delivery, string? resultJson, CancellationToken cancellationToken)
    {
        await gate.ConfigureAwait(false);
        await Settled(inner.SucceedAsync(delivery, resultJson, cancellationToken)).ConfigureAwait(false);
    }

    private ValueTask Settled(ValueTask call)
    {
        Interlocked.Decrement(ref _held);
        return call;
    }
}
